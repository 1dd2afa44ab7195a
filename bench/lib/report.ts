/** What every benchmark's report is made of: Markdown tables, figures and the targets it met or missed. */

/** One line of the results' Targets table: what was aimed at, what was measured, met or missed. */
export type Target = [target: string, measured: string, verdict: string];

/** A benchmark's part of the results page: its section and the targets it checks. */
export interface Report {
  readonly section: string[];
  readonly targets: Target[];
}

export const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

export const table = (head: string[], rows: (string | number)[][]) =>
  [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');

export const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

/** A figure with thousands separated; n/a when it was not measured. */
export const num = (value: number | undefined) => (value === undefined ? 'n/a' : value.toLocaleString('en-US'));
