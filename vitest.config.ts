import { defineConfig } from 'vitest/config';

/**
 * One run for the whole repository. Node suites run one file at a time: the
 * integration tests share the real servers and this machine's two cores.
 */
export default defineConfig({
  resolve: {
    // Node loads graphql 16's CommonJS build for the libraries; tests must share that one copy.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: [
            'core/**/*.test.ts',
            'server/**/*.test.ts',
            'processor/**/*.test.ts',
            'infra/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
