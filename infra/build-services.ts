/**
 * Builds the server and the processor into one JavaScript file each
 * (`server/dist/main.js`, `processor/dist/main.js`) for production: plain
 * `node`, no TypeScript loader at run time, which takes seconds off a start
 * (Node resolving every module through the loader's hooks) and its memory.
 * The project's own code (the service and `@orders/core`) is bundled; the
 * libraries stay in node_modules, imported as they are.
 */
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { repoRoot } from './services/paths.ts';

/** Every bare import but the project's own packages stays an import of node_modules. */
const librariesExternal: Plugin = {
  name: 'libraries-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@orders/') ? undefined : { path: args.path, external: true },
    );
  },
};

/** Each service's entry and the folder its bundle goes to: the server, the processor and the payment service. */
const SERVICES = [
  { entry: 'server/src/main.ts', folder: 'server' },
  { entry: 'processor/src/main.ts', folder: 'processor' },
  { entry: 'infra/payments/main.ts', folder: 'infra/payments' },
];

export async function buildServices(outRoot = repoRoot): Promise<string[]> {
  await Promise.all(
    SERVICES.map(({ entry, folder }) =>
      build({
        entryPoints: [path.join(repoRoot, entry)],
        outfile: path.join(outRoot, folder, 'dist/main.js'),
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: true,
        plugins: [librariesExternal],
        logLevel: 'warning',
      }),
    ),
  );
  return SERVICES.map(({ folder }) => path.join(outRoot, folder, 'dist/main.js'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const built = await buildServices();
  console.log(`built ${built.map((file) => path.relative(repoRoot, file)).join(', ')}`);
}
