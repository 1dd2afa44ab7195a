/** The Docker path: `docker compose` with the root docker-compose.yml, used when an engine answers. */
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.ts';
import { ServiceError } from './errors.ts';

export function dockerEngineAnswers(): boolean {
  if (process.env.SERVICES_NATIVE === '1') return false;
  const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 });
  return result.error === undefined && result.status === 0;
}

export function compose(args: string[]): void {
  const result = spawnSync('docker', ['compose', ...args], { cwd: repoRoot, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    throw new ServiceError(
      'docker',
      `docker compose ${args.join(' ')} failed`,
      'see the output above; `docker compose logs` tells more',
    );
  }
}
