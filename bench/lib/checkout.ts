/**
 * Another commit of this repository, checked out beside it and installed, so
 * that a benchmark can run its server and processor next to this one's on the
 * same stores, alternated, in one run: the fair way to say what a change
 * moved on a machine whose speed varies from hour to hour.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../test/support/index.ts';

export interface Checkout {
  /** The commit, abbreviated. */
  readonly commit: string;
  /** Where it is checked out: the root its entries are launched from. */
  readonly root: string;
}

const git = (args: string[], cwd = repoRoot) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** Checks `commit` out under .data/bench-checkouts (once) and installs its dependencies from its lockfile. */
export function prepareCheckout(commit: string, log: (message: string) => void = console.error): Checkout {
  const full = git(['rev-parse', '--verify', `${commit}^{commit}`]);
  const short = full.slice(0, 7);
  const root = path.join(repoRoot, '.data', 'bench-checkouts', short);
  if (!existsSync(path.join(root, 'package.json'))) {
    mkdirSync(path.dirname(root), { recursive: true });
    log(`checking out ${short} in ${path.relative(repoRoot, root)}`);
    git(['worktree', 'add', '--force', '--detach', root, full]);
  }
  if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
    log(`installing ${short}'s dependencies (npm ci)`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: root, stdio: 'inherit' });
  }
  // Its servers accept this checkout's tokens: the development secret is the same.
  const secret = path.join(repoRoot, '.data', 'auth-secret');
  if (existsSync(secret)) {
    mkdirSync(path.join(root, '.data'), { recursive: true });
    copyFileSync(secret, path.join(root, '.data', 'auth-secret'));
  }
  return { commit: short, root };
}
