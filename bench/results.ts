/**
 * One run's results: what each benchmark measured, with the machine and commit they were measured on,
 * and the Markdown page made of each benchmark's own report and the targets they checked.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { repoRoot } from '../test/support/index.ts';
import type { FanoutResult } from './fanout/fanout.ts';
import { fanoutReport } from './fanout/report.ts';
import type { HelloResult } from './hello/hello.ts';
import { helloReport } from './hello/report.ts';
import { table, type Report } from './lib/report.ts';
import { pipelineReport } from './pipeline/report.ts';
import type { PipelineSection } from './pipeline/search.ts';
import type { ProfileResult } from './profile/profile.ts';
import { profileReport } from './profile/report.ts';
import type { QueriesResult } from './queries/queries.ts';
import { queriesReport } from './queries/report.ts';
import { scaleReport } from './scale/report.ts';
import type { ScaleResult } from './scale/result.ts';
import { storesReport, type StoresResult } from './stores/report.ts';

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpu: string;
  node: string;
  commit: string;
  at: string;
}

export interface BenchResults {
  machine: Machine;
  stores?: StoresResult;
  hello?: HelloResult;
  queries?: QueriesResult;
  pipeline?: PipelineSection;
  fanout?: FanoutResult[];
  profile?: ProfileResult;
  scale?: ScaleResult;
}

/** The commit measured, `+changes` when the working tree differs from it. */
function commit(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  // Earlier results under bench/results/ are not a change to what is measured.
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results') !== '';
  return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+changes' : ''}`;
}

export function thisMachine(): Machine {
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    commit: commit(),
    at: new Date().toISOString(),
  };
}

/** Each benchmark's report, in the order they run; those not run are left out. */
function reports(results: BenchResults): Report[] {
  const { stores, hello, queries, pipeline, fanout, profile, scale } = results;
  return [
    stores && storesReport(stores),
    hello && helloReport(hello),
    queries && queriesReport(queries),
    pipeline && pipelineReport(pipeline, stores),
    fanout && fanoutReport(fanout),
    profile && profileReport(profile),
    scale && scaleReport(scale),
  ].filter((report): report is Report => Boolean(report));
}

export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const parts = reports(results);
  const targets = parts.flatMap((part) => part.targets);
  const out = [
    '# Benchmark results',
    '',
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, commit ${machine.commit}, ${machine.at}. ` +
      'Every server (Kafka, FerretDB, Redis, the GraphQL server, the processor) and the load generator share this machine. ' +
      'Reproduce with `npm run bench`.',
    '',
    ...parts.flatMap((part) => part.section),
  ];
  if (targets.length > 0) out.push('## Targets', '', table(['target', 'measured', ''], targets), '');
  return `${out.join('\n')}\n`;
}
