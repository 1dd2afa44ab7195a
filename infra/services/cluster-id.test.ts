import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newKafkaClusterId, uuidToKafkaId } from './cluster-id.ts';
import { repoRoot } from './paths.ts';

/** A UUID whose first byte is 0xf8: its first six bits are 62, "-" in URL-safe base64. */
const DASH_FIRST = 'f8a1b2c3-d4e5-4f60-8a7b-8c9d0e1f2a3b';

describe('Kafka cluster ids', () => {
  it('writes a UUID as Kafka does: its 16 bytes in URL-safe base64, 22 characters, no padding', () => {
    const id = uuidToKafkaId('00000000-0000-4000-8000-0000000000ff');
    expect(id).toBe('AAAAAAAAQACAAAAAAAAA_w');
    expect(Buffer.from(id, 'base64url').toString('hex')).toBe('000000000000400080000000000000ff');
  });

  it('draws again while the id starts with "-", as Kafka\'s Uuid.randomUuid does', () => {
    expect(uuidToKafkaId(DASH_FIRST).startsWith('-')).toBe(true);
    const draws = [DASH_FIRST, DASH_FIRST, '0f8a1b2c-d4e5-4f60-8a7b-8c9d0e1f2a3b'];
    let drawn = 0;
    const id = newKafkaClusterId(() => draws[drawn++]!);
    expect(drawn).toBe(3);
    expect(id).toBe(uuidToKafkaId(draws[2]!));
  });

  it('never gives an id starting with "-" over 20,000 draws, where one in 64 UUIDs would', () => {
    const ids = Array.from({ length: 20_000 }, () => newKafkaClusterId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[\w-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // The re-draw is what keeps them out: the same UUIDs written plainly start with "-" about 1 in 64.
    const plain = Array.from({ length: 20_000 }, () => uuidToKafkaId(crypto.randomUUID()));
    expect(plain.filter((id) => id.startsWith('-')).length).toBeGreaterThan(100);
  });

  it('finds in docker-compose.yml only cluster ids of 16 bytes that do not start with "-"', () => {
    const compose = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    const ids = [...compose.matchAll(/CLUSTER_ID:\s*'?([^'\s]+)'?/g)].map((match) => match[1]!);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      expect(id).toMatch(/^[\w][\w-]{21}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
  });
});
