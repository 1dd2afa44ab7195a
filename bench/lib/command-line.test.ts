import { describe, expect, it } from 'vitest';
import { commandLine } from './command-line.ts';

describe('commandLine', () => {
  it('reads numbers with their defaults and optional strings', () => {
    expect(commandLine({ rate: 100, seconds: 10 }, ['against'], ['--rate', '60', '--against', 'main'])).toEqual({
      rate: 60,
      seconds: 10,
      against: 'main',
    });
    expect(commandLine({ rate: 100 }, ['against'], [])).toEqual({ rate: 100, against: undefined });
  });

  it('refuses a number that is not one, naming the option', () => {
    expect(() => commandLine({ rate: 100 }, [], ['--rate', 'fast'])).toThrow('--rate must be a number, got "fast"');
  });

  it('refuses an option it does not know', () => {
    expect(() => commandLine({ rate: 100 }, [], ['--rat', '5'])).toThrow(/Unknown option '--rat'/);
  });
});
