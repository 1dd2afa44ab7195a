/** A benchmark's own command line: `--name value` options, numbers with their defaults and optional strings. */
import { parseArgs } from 'node:util';

export function commandLine<N extends string, S extends string = never>(
  numbers: Record<N, number>,
  strings: readonly S[] = [],
  args: string[] = process.argv.slice(2),
): Record<N, number> & Partial<Record<S, string>> {
  const options: Record<string, { type: 'string'; default?: string }> = {};
  for (const [name, fallback] of Object.entries<number>(numbers))
    options[name] = { type: 'string', default: String(fallback) };
  for (const name of strings) options[name] = { type: 'string' };
  const { values } = parseArgs({ args, options });
  const parsed: Record<string, number | string | undefined> = {};
  for (const name of Object.keys(numbers)) {
    const value = Number(values[name]);
    if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${String(values[name])}"`);
    parsed[name] = value;
  }
  for (const name of strings) parsed[name] = values[name] as string | undefined;
  return parsed as Record<N, number> & Partial<Record<S, string>>;
}
