/**
 * `npm start`: the whole system on this machine. Starts the servers it needs
 * (Kafka, MongoDB-wire, Redis, the payment service) if they are not running, builds the dashboard
 * when its sources changed, then runs the GraphQL server and the processor
 * until Ctrl-C, which stops both cleanly.
 *
 * `npm run dev` (`--dev`): the same, but the server and the processor restart
 * when their sources change, and Vite serves the dashboard with hot reload on
 * port 5173, proxying /graphql to the server.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { signToken, signingKey } from '@orders/core';
import { repoRoot } from './services/paths.ts';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit', env });
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

/**
 * The demo's payments: a realistic latency and a few customers who are always declined, so that the
 * dashboard shows orders waiting on their payment and some FAILED. They live in the payment service's
 * settings (the processor simulates nothing); any of them set in the environment wins. They apply when
 * this command starts the payment service, not to one already running.
 */
const DEMO_PAYMENTS = {
  PAYMENTS_LATENCY_P50_MS: '80',
  PAYMENTS_LATENCY_P99_MS: '250',
  PAYMENTS_DECLINING_CUSTOMERS: 'cus_0003,cus_0007,cus_0012,cus_0018,cus_0025,cus_0031',
};

run('npx', ['tsx', 'infra/services/cli.ts', 'up'], { ...DEMO_PAYMENTS, ...process.env });

const dev = process.argv.includes('--dev');
const web = path.join(repoRoot, 'web');
const built = path.join(web, 'dist', 'index.html');
if (!dev && existsSync(path.join(web, 'index.html'))) {
  const stale = !existsSync(built) || newestChange(path.join(web, 'src')) > statSync(built).mtimeMs;
  if (stale) run('npm', ['run', 'build', '-w', 'web']);
}

/**
 * The server and the processor run in development mode (dev tokens for the dashboard, GraphiQL). Anything
 * set in the environment wins.
 */
const childEnv: NodeJS.ProcessEnv = { NODE_ENV: 'development', ...process.env };

const bin = (name: string): string => path.join(repoRoot, 'node_modules', '.bin', name);
const children: ChildProcess[] = [];
function launch(name: string, command: string, args: string[], cwd = repoRoot): void {
  // Each child gets its own process group, so Ctrl-C reaches it once, as the SIGTERM sent by stop().
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: childEnv,
    detached: true,
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

const tsx = dev ? ['watch', '--clear-screen=false'] : [];
launch('server', bin('tsx'), [...tsx, 'server/src/main.ts']);
launch('processor', bin('tsx'), [...tsx, 'processor/src/main.ts']);
if (dev) launch('web', bin('vite'), [], web);
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));

// An operator token for curl, GraphiQL or a script; the dashboard gets its own from the server.
const operatorToken = await signToken(
  signingKey({ secret: childEnv.AUTH_SECRET, production: childEnv.NODE_ENV === 'production' }),
  { role: 'operator', subject: 'npm-start', expiresInSeconds: 12 * 60 * 60 },
);

const port = process.env.PORT ?? '4000';
const dashboard = dev ? 'http://localhost:5173/ (hot reload)' : `http://localhost:${port}/`;
console.log(
  `\n  dashboard  ${dashboard}\n  GraphQL    http://localhost:${port}/graphql (GraphiQL in a browser)\n  operator token (12 h), for the Authorization header: Bearer ${operatorToken}\n  a customer's: npm run token -- --role customer --customer cus_0001\n  Ctrl-C stops the server and the processor; \`npm run services -- down\` stops the servers.\n`,
);
