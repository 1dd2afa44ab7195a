/**
 * The consumer lag's last samples as a line under its figure: flat at the
 * bottom when the processors keep up, climbing when they do not. Plain SVG:
 * a sparkline needs no chart library on the page's first load.
 */
import Box from '@mui/material/Box';

const WIDTH = 120;
const HEIGHT = 24;

/** The points of a polyline through `samples` (oldest first), scaled to the box; none for fewer than two. */
export function sparklinePoints(samples: readonly number[], width = WIDTH, height = HEIGHT): string {
  if (samples.length < 2) return '';
  const highest = Math.max(1, ...samples);
  const step = width / (samples.length - 1);
  return samples
    .map((value, i) => `${(i * step).toFixed(1)},${(height - 1 - (value / highest) * (height - 2)).toFixed(1)}`)
    .join(' ');
}

export function LagSparkline({ samples }: { samples: readonly number[] }) {
  const points = sparklinePoints(samples);
  return (
    <Box
      component="svg"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={samples.length > 0 ? `Lag trend: from ${samples[0]} to ${samples.at(-1)}` : 'No lag trend yet'}
      sx={{ display: 'block', width: '100%', height: HEIGHT, mt: 0.5, color: 'primary.main' }}
    >
      {points && <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.5} />}
    </Box>
  );
}
