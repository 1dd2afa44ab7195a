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
            'bench/**/*.test.ts',
          ],
          exclude: [
            '**/node_modules/**',
            'test/faults/**',
            'test/cluster/**',
            'test/redis-ha/**',
            'test/deploy/image.test.ts',
          ],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The dashboard's component and unit tests, built by web/vite.config.ts (React), in jsdom.
        extends: './web/vite.config.ts',
        test: {
          name: 'web',
          root: './web',
          include: ['src/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['./src/test-setup.ts'],
        },
      },
      {
        // Crashes, restarts and scale-out with processes started and killed by the tests: `npm run test:faults`.
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Brokers killed, hung and stopped under load on the three-broker Kafka cluster: `npm run test:cluster`.
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          // The cluster's brokers (infra/services/kafka-cluster.ts), for the launched services and the test's clients.
          env: { KAFKA_BROKERS: '127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096' },
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Redis primaries killed, stopped and made to lose writes under load: `npm run test:redis-ha`.
        extends: true,
        test: {
          name: 'redis-ha',
          include: ['test/redis-ha/**/*.test.ts'],
          // The Sentinel-managed set (infra/services/redis-ha.ts), for the launched services and the test's clients.
          env: {
            REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381',
            REDIS_MASTER_NAME: 'orders-redis',
          },
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The image built with podman and its two commands run in containers: `npm run test:image`.
        extends: true,
        test: {
          name: 'image',
          include: ['test/deploy/image.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          // The image's build: about two minutes here, up to fifteen on a cold npm cache.
          hookTimeout: 1_200_000,
        },
      },
      {
        // The dashboard end to end in real Chromium against a real server and processor; expects web/dist.
        test: {
          name: 'e2e',
          include: ['web/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          fileParallelism: false,
          // After every other project, alone: it runs a server, a processor and a browser on two cores.
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
