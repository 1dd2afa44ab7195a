/**
 * `npm start`: the whole system on this machine. Starts the servers it needs
 * (Kafka, MongoDB-wire, Redis) if they are not running, builds the dashboard
 * when its sources changed, then runs the GraphQL server and the processor
 * until Ctrl-C, which stops both cleanly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './services/paths.ts';

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`\`${command} ${args.join(' ')}\` failed: see above`);
    process.exit(result.status ?? 1);
  }
}

function newestChange(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(dir, entry.name);
    const time = entry.isDirectory() ? newestChange(full) : statSync(full).mtimeMs;
    return Math.max(newest, time);
  }, 0);
}

run('npx', ['tsx', 'infra/services/cli.ts', 'up']);

const web = path.join(repoRoot, 'web');
const built = path.join(web, 'dist', 'index.html');
if (existsSync(path.join(web, 'index.html'))) {
  const stale = !existsSync(built) || newestChange(path.join(web, 'src')) > statSync(built).mtimeMs;
  if (stale) run('npm', ['run', 'build', '-w', 'web']);
}

const children: ChildProcess[] = [];
function launch(name: string, entry: string): void {
  const child = spawn('npx', ['tsx', entry], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`${name} exited (${signal ?? `code ${code}`}); stopping the rest`);
    stop(1);
  });
  children.push(child);
}

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  const deadline = setTimeout(() => process.exit(code), 20_000);
  deadline.unref();
  Promise.all(
    children.map(
      (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
    ),
  ).then(() => process.exit(code));
}

launch('server', 'server/src/main.ts');
launch('processor', 'processor/src/main.ts');
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

const port = process.env.PORT ?? '4000';
console.log(
  `\n  dashboard  http://localhost:${port}/\n  GraphQL    http://localhost:${port}/graphql (GraphiQL in a browser)\n  Ctrl-C stops the server and the processor; \`npm run services -- down\` stops the servers.\n`,
);
