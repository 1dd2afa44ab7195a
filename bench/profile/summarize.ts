/**
 * Reading a V8 CPU profile (`node --cpu-prof`): self time per function and
 * per package, the "where the time goes" of the benchmark results.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Cost {
  name: string;
  /** Share of the sampled time, in percent. */
  percent: number;
}

export interface ProfileSummary {
  seconds: number;
  /** Share of the time the process was idle (waiting on I/O), in percent. */
  idlePercent: number;
  topFunctions: Cost[];
  topPackages: Cost[];
}

/** Where a script lives: its npm package, `node:` for Node's own code, or the project's folder. */
export function packageOf(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node';
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const parts = url.slice(inModules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const project = /\/(core|server|processor|web|bench)\/src\//.exec(url);
  return project ? `project:${project[1]}` : url;
}

export function summarizeProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const total = [...selfMicros.values()].reduce((sum, micros) => sum + micros, 0) || 1;
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const file = frame.url.split('/').slice(-2).join('/');
    // A native function (a system call, a V8 built-in) has no script to place it in.
    const fn = frame.functionName || '(anonymous)';
    const name = frame.url === '' ? fn : `${fn} ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + micros);
    const pkg = packageOf(frame.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
  }
  const ranked = (costs: Map<string, number>): Cost[] =>
    [...costs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, percent: Math.round((micros / total) * 1000) / 10 }));
  return {
    seconds: Math.round((profile.endTime - profile.startTime) / 1e5) / 10,
    idlePercent: Math.round((idle / total) * 1000) / 10,
    topFunctions: ranked(functions),
    topPackages: ranked(packages),
  };
}
