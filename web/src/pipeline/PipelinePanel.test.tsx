import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeGraphql } from '../test-support/fake-graphql.tsx';
import { PipelinePanel } from './PipelinePanel.tsx';

function health(at: string, overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'PipelineHealth',
    at,
    decisionsPerSecond: 4.2,
    decisionsLastMinute: 251,
    decisionLatencyP95Seconds: 0.34,
    consumerLag: { total: 3, partitions: [{ partition: 0, lag: 3 }] },
    processors: 2,
    deadLetters: 0,
    warnings: [],
    ...overrides,
  };
}

function renderPanel(first = health('2026-12-02T06:00:00.000Z')) {
  const fake = fakeGraphql({
    PipelinePanel_HealthQuery: () => ({ data: { pipelineHealth: first } }),
    DeadLetterList_DeadLettersQuery: () => ({ data: { deadLetters: { totalCount: 0, edges: [] } } }),
  });
  const { Providers } = fake;
  render(
    <Providers>
      <PipelinePanel />
    </Providers>,
  );
  return fake;
}

const card = (label: string) => screen.getByRole('region', { name: new RegExp(`^${label}: `) });

describe('the Pipeline panel', () => {
  it('shows decisions per second, the p95 latency, the lag, the processors and the dead letters', async () => {
    renderPanel();
    await screen.findByRole('region', { name: 'Decisions/s: 4.2' });
    expect(card('p95 latency').textContent).toContain('340 ms');
    expect(card('Consumer lag').textContent).toContain('3');
    expect(card('Processors').textContent).toContain('2');
    expect(card('Dead letters').textContent).toContain('0');
    expect(screen.queryByRole('status', { name: 'Pipeline warnings' })).toBeNull();
  });

  it('takes each sample the subscription pushes, and warns clearly when no processor runs and the lag grows', async () => {
    const { push } = renderPanel();
    await screen.findByRole('region', { name: 'Processors: 2' });
    act(() =>
      push('PipelinePanel_HealthSubscription', {
        pipelineHealth: health('2026-12-02T06:00:02.000Z', {
          processors: 0,
          consumerLag: { total: 17, partitions: [{ partition: 0, lag: 17 }] },
          warnings: [
            { code: 'NO_PROCESSOR', message: 'No processor is in the consumer group order-processor.' },
            { code: 'LAG_GROWING', message: 'The consumer lag rose in each of the last 4 samples.' },
          ],
        }),
      }),
    );
    const warnings = await screen.findByRole('status', { name: 'Pipeline warnings' });
    expect(within(warnings).getByText('No processor is running')).toBeTruthy();
    expect(within(warnings).getByText('Consumer lag is growing')).toBeTruthy();
    expect(within(warnings).getByText(/rose in each of the last 4 samples/)).toBeTruthy();
    expect(card('Processors').textContent).toContain('0');
    expect(card('Consumer lag').textContent).toContain('17');
    expect(screen.getByRole('img', { name: 'Lag trend: from 3 to 17' })).toBeTruthy();
  });

  it('warns of an open payment breaker and paused partitions, and says why', async () => {
    const { push } = renderPanel();
    await screen.findByRole('region', { name: 'Processors: 2' });
    const paused =
      '2 partitions of orders.created (0, 2) wait on the database (MongoDB unreachable: Server selection timed out after 30000 ms) since 12:01:03 UTC; they resume by themselves when it is back.';
    act(() =>
      push('PipelinePanel_HealthSubscription', {
        pipelineHealth: health('2026-12-02T06:00:02.000Z', {
          warnings: [
            {
              code: 'PAYMENTS_UNAVAILABLE',
              message:
                'The payment service breaker is not closed on 1 of 2 processors (proc-a open since 12:01:03 UTC).',
            },
            { code: 'PIPELINE_PAUSED', message: paused },
          ],
        }),
      }),
    );
    const warnings = await screen.findByRole('status', { name: 'Pipeline warnings' });
    const payments = within(warnings).getByText('Payments unavailable: orders wait').closest('[data-warning]');
    expect(payments?.getAttribute('data-warning')).toBe('PAYMENTS_UNAVAILABLE');
    expect(payments?.textContent).toContain('proc-a open since 12:01:03 UTC');
    expect(within(warnings).getByText('Partitions paused')).toBeTruthy();
    expect(within(warnings).getByText(paused)).toBeTruthy();
    for (const alert of within(warnings).getAllByRole('alert'))
      expect(alert.className).toContain('MuiAlert-colorWarning');
  });

  it('keeps the newest sample when an older one arrives after it', async () => {
    const { push } = renderPanel(health('2026-12-02T06:00:10.000Z', { processors: 3 }));
    await screen.findByRole('region', { name: 'Processors: 3' });
    act(() => push('PipelinePanel_HealthSubscription', { pipelineHealth: health('2026-12-02T06:00:04.000Z') }));
    expect(card('Processors').textContent).toContain('3');
  });

  it('says what went wrong when the server refuses the figures', async () => {
    const fake = fakeGraphql({
      PipelinePanel_HealthQuery: () => ({
        errors: [{ message: 'only an operator may read the pipeline health', extensions: { code: 'FORBIDDEN' } }],
      }),
    });
    render(
      <fake.Providers>
        <PipelinePanel />
      </fake.Providers>,
    );
    expect(await screen.findByText(/only an operator may read the pipeline health/)).toBeTruthy();
  });

  it('opens the dead-letter list from its count', async () => {
    renderPanel(health('2026-12-02T06:00:00.000Z', { deadLetters: 0 }));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Show dead letters' }));
    const dialog = await screen.findByRole('dialog', { name: 'Dead letters' });
    expect(await within(dialog).findByText(/No dead letters/)).toBeTruthy();
  });
});
