import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './ErrorBoundary.tsx';

let broken = true;
function Panel() {
  if (broken) throw new Error('the chart could not draw');
  return <p>chart</p>;
}

afterEach(() => vi.restoreAllMocks());

describe('the error boundary', () => {
  it('shows which panel failed and why, and renders it again on "Try again"', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    render(
      <ErrorBoundary what="the chart">
        <Panel />
      </ErrorBoundary>,
    );
    expect(screen.getByText('Something went wrong in the chart')).toBeTruthy();
    expect(screen.getByText('the chart could not draw')).toBeTruthy();

    broken = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('chart')).toBeTruthy();
  });
});
