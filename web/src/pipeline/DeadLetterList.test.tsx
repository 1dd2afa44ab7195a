import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeGraphql, type Answer } from '../test-support/fake-graphql.tsx';
import { DeadLetterList } from './DeadLetterList.tsx';

const letter = (offset: number, value: string | null = '{not json') => ({
  __typename: 'DeadLetter',
  id: `orders.created:2:${offset}`,
  reason: 'the message is not JSON',
  deadAt: '2026-12-02T06:00:00.000Z',
  topic: 'orders.created',
  partition: 2,
  offset: String(offset),
  key: 'poison',
  value,
  valueTruncated: false,
});

/** A server holding `letters`: a discard or requeue takes the letter off, as the real one does. */
function renderList(
  letters: ReturnType<typeof letter>[],
  act: (id: string, kind: string) => Answer | null = () => null,
) {
  let open = [...letters];
  const page = () => ({ data: { deadLetters: { totalCount: open.length, edges: open.map((node) => ({ node })) } } });
  const handled = (kind: string) => (variables: Record<string, unknown>) => {
    const id = variables.id as string;
    const answer = act(id, kind);
    if (answer) return answer;
    open = open.filter((l) => l.id !== id);
    return {
      data: {
        [kind === 'REQUEUED' ? 'requeueDeadLetter' : 'discardDeadLetter']: {
          action: kind,
          requeuedPartition: 2,
          requeuedOffset: '9',
        },
      },
    };
  };
  const fake = fakeGraphql({
    DeadLetterList_DeadLettersQuery: page,
    DeadLetterList_RequeueMutation: handled('REQUEUED'),
    DeadLetterList_DiscardMutation: handled('DISCARDED'),
  });
  const view = (sampledAt: string) => (
    <fake.Providers>
      <DeadLetterList open onClose={() => {}} sampledAt={sampledAt} />
    </fake.Providers>
  );
  const { rerender } = render(view('2026-12-02T06:00:00.000Z'));
  return {
    ...fake,
    /** A letter the processor records meanwhile. */
    arrive: (next: ReturnType<typeof letter>) => void (open = [next, ...open]),
    /** The panel's next sample. */
    sample: (sampledAt: string) => rerender(view(sampledAt)),
  };
}

describe('the dead-letter list', () => {
  it('shows each letter with its reason, where it sat and its raw value in monospace', async () => {
    renderList([letter(7, '{"v":1,\u{FFFD}')]);
    const item = await screen.findByRole('listitem', { name: 'Dead letter orders.created:2:7' });
    expect(within(item).getByText('the message is not JSON')).toBeTruthy();
    expect(within(item).getByText(/orders\.created · partition 2 · offset 7 · key poison/)).toBeTruthy();
    const value = within(item).getByLabelText('Raw value');
    expect(value.tagName).toBe('PRE');
    expect(value.textContent).toBe('{"v":1,\u{FFFD}');
  });

  it('discards a letter only once the operator confirms, and then reads the list again without it', async () => {
    const { requests } = renderList([letter(7), letter(8)]);
    const user = userEvent.setup();
    const item = await screen.findByRole('listitem', { name: 'Dead letter orders.created:2:7' });
    await user.click(within(item).getByRole('button', { name: 'Discard' }));
    const confirm = await screen.findByRole('dialog', { name: 'Discard this message?' });
    expect(requests.some((r) => r.name === 'DeadLetterList_DiscardMutation')).toBe(false);

    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Discard this message?' })).toBeNull());
    expect(requests.some((r) => r.name === 'DeadLetterList_DiscardMutation')).toBe(false);

    await user.click(within(item).getByRole('button', { name: 'Discard' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Discard this message?' })).getByRole('button', {
        name: 'Discard',
      }),
    );
    expect(await screen.findByText('Discarded orders.created:2:7.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Dead letter orders.created:2:7' })).toBeNull());
    expect(await screen.findByRole('listitem', { name: 'Dead letter orders.created:2:8' })).toBeTruthy();
    expect(requests.filter((r) => r.name === 'DeadLetterList_DiscardMutation').map((r) => r.variables)).toEqual([
      { id: 'orders.created:2:7' },
    ]);
  });

  it('requeues a confirmed letter', async () => {
    const { requests } = renderList([letter(7)]);
    const user = userEvent.setup();
    const item = await screen.findByRole('listitem', { name: 'Dead letter orders.created:2:7' });
    await user.click(within(item).getByRole('button', { name: 'Requeue' }));
    const confirm = await screen.findByRole('dialog', { name: 'Requeue this message?' });
    expect(within(confirm).getByText(/comes back here with its reason/)).toBeTruthy();
    await user.click(within(confirm).getByRole('button', { name: 'Requeue' }));
    expect(await screen.findByText('Requeued orders.created:2:7.')).toBeTruthy();
    expect(requests.filter((r) => r.name === 'DeadLetterList_RequeueMutation')).toHaveLength(1);
    expect(await screen.findByText(/No dead letters/)).toBeTruthy();
  });

  it('says why an action was refused and keeps the confirmation open', async () => {
    renderList([letter(7)], () => ({
      errors: [
        {
          message: 'dead letter orders.created:2:7 was already discarded',
          extensions: { code: 'DEAD_LETTER_ALREADY_HANDLED' },
        },
      ],
    }));
    const user = userEvent.setup();
    const item = await screen.findByRole('listitem', { name: 'Dead letter orders.created:2:7' });
    await user.click(within(item).getByRole('button', { name: 'Requeue' }));
    const confirm = await screen.findByRole('dialog', { name: 'Requeue this message?' });
    await user.click(within(confirm).getByRole('button', { name: 'Requeue' }));
    expect(
      await within(confirm).findByText(/Could not requeue: dead letter orders.created:2:7 was already discarded/),
    ).toBeTruthy();
  });

  it('reads the list again with each sample the panel receives, so a letter that comes back shows', async () => {
    const { arrive, sample } = renderList([]);
    expect(await screen.findByText(/No dead letters/)).toBeTruthy();
    arrive(letter(9));
    sample('2026-12-02T06:00:02.000Z');
    expect(await screen.findByRole('listitem', { name: 'Dead letter orders.created:2:9' })).toBeTruthy();
  });
});
