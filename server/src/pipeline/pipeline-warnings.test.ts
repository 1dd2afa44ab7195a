import { describe, expect, it } from 'vitest';
import type { GroupHealth } from './consumer-lag.ts';
import { LAG_GROWING_SAMPLES, lagIsGrowing, pipelineWarnings } from './pipeline-warnings.ts';

const group = (members: number, totalLag: number): GroupHealth => ({
  partitions: [{ partition: 0, committed: 0, end: totalLag, lag: totalLag }],
  totalLag,
  members,
  state: members === 0 ? 'Empty' : 'Stable',
});
const base = { groupId: 'order-processor', sampleIntervalMs: 2000 };
const codes = (input: Parameters<typeof pipelineWarnings>[0]) => pipelineWarnings(input).map((w) => w.code);

describe('the lag trend', () => {
  it('grows only when the lag rose at every one of the last samples', () => {
    expect(LAG_GROWING_SAMPLES).toBe(4);
    expect(lagIsGrowing([0, 1, 2, 3])).toBe(true);
    expect(lagIsGrowing([9, 0, 1, 2, 3])).toBe(true);
    expect(lagIsGrowing([0, 1, 1, 3])).toBe(false);
    expect(lagIsGrowing([1, 2, 3])).toBe(false);
    expect(lagIsGrowing([3, 2, 1, 0])).toBe(false);
  });
});

describe('the pipeline warnings', () => {
  it('are none while a processor keeps up', () => {
    expect(pipelineWarnings({ ...base, group: group(1, 2), lagHistory: [3, 1, 2, 2] })).toEqual([]);
  });

  it('say that no processor runs, and how many messages wait', () => {
    const [warning] = pipelineWarnings({ ...base, group: group(0, 12), lagHistory: [12] });
    expect(warning?.code).toBe('NO_PROCESSOR');
    expect(warning?.message).toContain('12 messages wait');
    expect(warning?.message).toContain('Start a processor');
  });

  it('say that no processor runs even with nothing waiting yet', () => {
    expect(codes({ ...base, group: group(0, 0), lagHistory: [] })).toEqual(['NO_PROCESSOR']);
  });

  it('say that the lag grows, from what to what, beside a missing processor', () => {
    const warnings = pipelineWarnings({ ...base, group: group(0, 9), lagHistory: [2, 4, 6, 9] });
    expect(warnings.map((w) => w.code)).toEqual(['NO_PROCESSOR', 'LAG_GROWING']);
    expect(warnings[1]?.message).toContain('from 2 to 9 messages in 6 s');
  });

  it('say only that Kafka did not answer when the group could not be read', () => {
    const warnings = pipelineWarnings({ ...base, group: null, unreachable: 'no answer in 5000 ms', lagHistory: [] });
    expect(warnings.map((w) => w.code)).toEqual(['KAFKA_UNREACHABLE']);
    expect(warnings[0]?.message).toContain('no answer in 5000 ms');
  });
});
