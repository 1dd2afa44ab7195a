/** The CPU profiles as a table: idle time, self time by package, the costliest functions. */
import { table, type Report } from '../lib/report.ts';
import type { ProfileResult } from './profile.ts';

const costs = (list: { name: string; percent: number }[], count: number) =>
  list
    .slice(0, count)
    .map((cost) => `${cost.name.replaceAll('|', '/')} ${cost.percent}%`)
    .join(', ');

export function profileReport(profile: NonNullable<ProfileResult>): Report {
  const section = [
    `## Where the time goes (CPU profile at ${profile.rate} orders/s)`,
    '',
    table(
      ['process', 'idle', 'self time by package', 'costliest functions (self time)'],
      (['server', 'processor'] as const).map((name) => [
        name,
        `${profile[name].idlePercent}%`,
        costs(profile[name].topPackages, 8),
        costs(profile[name].topFunctions, 5),
      ]),
    ),
    '',
    '`(native)` is time in system calls and V8 built-ins: mostly socket writes to the stores (`writeBuffer`, `writev`). On two shared cores a ' +
      'busy machine also shows up there, as time the thread waited to run again.',
    '',
  ];
  return { section, targets: [] };
}
