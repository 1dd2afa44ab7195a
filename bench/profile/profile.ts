/**
 * Where the time goes: the pipeline at one rate with `--cpu-prof` on the server and the processor,
 * each profile summarised by package and by function (summarize.ts).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipelineAt, type RunOptions } from '../pipeline/search.ts';
import { summarizeProfile, type ProfileSummary } from './summarize.ts';

export type ProfileResult = { rate: number; server: ProfileSummary; processor: ProfileSummary } | null;

export async function benchProfile(rate: number, run: RunOptions): Promise<ProfileResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-profile-'));
  await pipelineAt(rate, run, { profileDir: dir });
  // Each process writes one profile for its main thread (and one per worker, which are near idle).
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => path.join(dir, file));
  const summaries = files.map((file) => summarizeProfile(file)).sort((a, b) => a.idlePercent - b.idlePercent);
  const [first, second] = summaries;
  if (!first || !second) return null;
  // The two busiest profiles are the server's and the processor's main threads; tell them apart by their code.
  const isServer = (summary: ProfileSummary) => summary.topPackages.some((cost) => cost.name === 'graphql-yoga');
  const [server, processor] = isServer(first) ? [first, second] : [second, first];
  return { rate, server, processor };
}
