import { describe, expect, it } from 'vitest';
import { deadLetterId, SHOWN_VALUE_LENGTH, showBytes } from './letter.ts';

describe('a dead letter as shown', () => {
  it('is named by where its message sat', () => {
    expect(deadLetterId({ topic: 'p.orders.created', partition: 3, offset: '17' })).toBe('p.orders.created:3:17');
  });

  it('shows valid UTF-8 as it is, tabs and line breaks included', () => {
    expect(showBytes(Buffer.from('{"a": "é €"}\n\tnext'))).toEqual({ text: '{"a": "é €"}\n\tnext', truncated: false });
    expect(showBytes(null)).toBeNull();
  });

  it('replaces invalid UTF-8 and control characters with U+FFFD', () => {
    const shown = showBytes(Buffer.from([0x61, 0xff, 0x62, 0x1b, 0x5b, 0x00, 0x7f]));
    expect(shown).toEqual({ text: 'a\uFFFDb\uFFFD[\uFFFD\uFFFD', truncated: false });
  });

  it('cuts a long value at the limit without splitting a character, and says so', () => {
    const long = showBytes(Buffer.from('😀'.repeat(SHOWN_VALUE_LENGTH + 1)));
    expect(long?.truncated).toBe(true);
    expect(Array.from(long!.text)).toHaveLength(SHOWN_VALUE_LENGTH);
    expect(long!.text.endsWith('😀')).toBe(true);
    expect(showBytes(Buffer.from('x'.repeat(SHOWN_VALUE_LENGTH)))?.truncated).toBe(false);
  });
});
