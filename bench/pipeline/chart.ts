/** The pipeline's runs as an SVG chart, written beside the full run's results. */
import type { PipelineSection } from './search.ts';

/** Latency p50 and p99 to the subscriber (bars, left axis) and final states per second (line, right axis) by offered rate. */
export function renderPipelineChart(section: PipelineSection): string {
  const runs = section.ladder;
  const width = 640;
  const height = 320;
  const pad = { left: 60, right: 60, top: 30, bottom: 50 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxLatency = Math.max(1, ...runs.map((r) => r.toSubscriber.p99));
  const maxRate = Math.max(1, ...runs.map((r) => Math.max(r.offeredRate, r.finalPerSec)));
  const slot = plotW / Math.max(1, runs.length);
  const y = (value: number, max: number) => pad.top + plotH - (value / max) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${pad.left}" y="18" font-size="13">Pipeline: latency to the subscriber (ms, bars) and final states/s (line)</text>`,
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#333"/>`,
    `<text x="10" y="${pad.top + 10}">${Math.round(maxLatency)} ms</text>`,
    `<text x="${width - pad.right + 5}" y="${pad.top + 10}">${Math.round(maxRate)}/s</text>`,
  ];
  const points: string[] = [];
  runs.forEach((r, i) => {
    const x = pad.left + i * slot + slot * 0.2;
    const barW = slot * 0.28;
    for (const [offset, value, colour] of [
      [0, r.toSubscriber.p50, '#4caf50'],
      [barW, r.toSubscriber.p99, '#ff9800'],
    ] as const) {
      const top = y(value, maxLatency);
      parts.push(
        `<rect x="${x + offset}" y="${top}" width="${barW}" height="${pad.top + plotH - top}" fill="${colour}"/>`,
      );
    }
    parts.push(`<text x="${x}" y="${pad.top + plotH + 16}">${r.offeredRate}/s</text>`);
    points.push(`${pad.left + i * slot + slot / 2},${y(r.finalPerSec, maxRate)}`);
  });
  parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#1976d2" stroke-width="2"/>`);
  parts.push(
    `<text x="${pad.left}" y="${height - 10}"><tspan fill="#4caf50">■ p50</tspan>  <tspan fill="#ff9800">■ p99</tspan>  <tspan fill="#1976d2">— final states/s</tspan>  (offered rate below each group)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
