import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Preview } from '../../../common/contract';
import { fakeApi } from '../../test/fakeApi';
import { ApiContext } from '../api/ApiContext';
import { applyRunOutput, applyRunStatus, startPreview } from '../store/actions';
import { ActionDialog } from './ActionDialog';

const preview = (over: Partial<Preview> = {}): Preview =>
  ({
    token: 'tok-1',
    actionId: 'queue.clear',
    title: 'Clear a worker queue',
    risk: 'destructive',
    hosts: [{ id: 'trader-1', label: 'trader-1' }],
    command: "redis-cli DEL 'worker:scanner:queue'",
    confirmation: { kind: 'typed', text: 'worker:scanner:queue' },
    expiresAt: new Date(Date.now() + 120_000).toISOString(),
    precheck: { label: 'Jobs in the queue now', hosts: [{ hostId: 'trader-1', text: '118', ok: true }] },
    ...over,
  }) as Preview;

const request = { actionId: 'queue.clear', params: { queue: 'worker:scanner:queue' }, hostIds: ['trader-1'] };

function renderDialog(answers: Parameters<typeof fakeApi>[0]) {
  const fake = fakeApi(answers);
  render(
    <ApiContext.Provider value={fake.api}>
      <ActionDialog />
    </ApiContext.Provider>,
  );
  return fake;
}

describe('ActionDialog', () => {
  it('a destructive preview shows the exact command and what there is to lose, and Confirm stays shut until the exact text is typed', async () => {
    const user = userEvent.setup();
    const fake = renderDialog({ previewAction: () => ({ ok: true, value: preview() }), runAction: () => ({ ok: true, value: { runId: 'run-1' } }) as never });
    await act(() => startPreview(fake.api, 'Clear a worker queue', request));
    const dialog = screen.getByRole('dialog', { name: 'Preview: Clear a worker queue' });
    expect(within(dialog).getByLabelText('Command').textContent).toBe("redis-cli DEL 'worker:scanner:queue'");
    expect(within(dialog).getByRole('region', { name: 'Jobs in the queue now' }).textContent).toContain('118');
    const confirm = within(dialog).getByRole('button', { name: 'Confirm' });
    const typed = within(dialog).getByRole('textbox', { name: 'Type worker:scanner:queue to confirm' });
    // focus starts in the typed field; a near miss leaves Confirm shut and sends nothing
    expect(document.activeElement).toBe(typed);
    await user.type(typed, 'worker:scanner');
    expect(confirm.getAttribute('aria-disabled')).toBe('true');
    await user.click(confirm);
    expect(fake.calls('runAction')).toEqual([]);
    await user.type(typed, ':queue');
    expect(confirm.getAttribute('aria-disabled')).toBe('false');
    await user.click(confirm);
    expect(fake.calls('runAction')).toEqual([{ token: 'tok-1', typedConfirmation: 'worker:scanner:queue' }]);
    // the run phase: one status per host, Cancel run while it runs, Close once it ended
    const run = await screen.findByRole('dialog', { name: 'Run: Clear a worker queue' });
    expect(within(run).getByRole('button', { name: 'Close' })).toHaveProperty('disabled', true);
    expect(within(run).getByRole('button', { name: 'Cancel run' })).toBeTruthy();
    act(() => {
      applyRunOutput({ runId: 'run-1', hostId: 'trader-1', chunks: [{ stream: 'stdout', text: '1\n' }], droppedLines: 0 } as never);
      applyRunStatus({ runId: 'run-1', hostId: 'trader-1', state: 'succeeded', exitCode: 0, error: null, at: new Date().toISOString() } as never);
    });
    expect(within(run).getByRole('status', { name: 'trader-1 status' }).textContent).toContain('● succeeded, exit 0');
    expect(within(run).queryByRole('button', { name: 'Cancel run' })).toBeNull();
    await user.click(within(run).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('a click-confirmed preview runs on Confirm; Escape before that cancels and sends nothing', async () => {
    const user = userEvent.setup();
    const fake = renderDialog({
      previewAction: () => ({ ok: true, value: preview({ risk: 'service-affecting', confirmation: { kind: 'click' }, precheck: undefined }) }),
    });
    await act(() => startPreview(fake.api, 'Clear a worker queue', request));
    expect(screen.getByRole('dialog', { name: 'Preview: Clear a worker queue' })).toBeTruthy();
    expect(screen.queryByRole('textbox')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Confirm' }));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.calls('runAction')).toEqual([]);
  });

  it("a refused preview says why, with main's code and message, and only offers Close", async () => {
    const user = userEvent.setup();
    const fake = renderDialog({ previewAction: () => ({ ok: false, error: { code: 'bad-request', message: 'queue: must match worker:…' } }) });
    await act(() => startPreview(fake.api, 'Clear a worker queue', request));
    const dialog = screen.getByRole('dialog', { name: 'Preview: Clear a worker queue' });
    expect(within(dialog).getByRole('alert').textContent).toBe('Preview refused: bad-request: queue: must match worker:…');
    expect(within(dialog).queryByRole('button', { name: 'Confirm' })).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('a run refused at Confirm stays in the preview with the reason, and a cancelled run says "cancelled" once', async () => {
    const user = userEvent.setup();
    let answer: 'refuse' | 'run' = 'refuse';
    const fake = renderDialog({
      previewAction: () => ({ ok: true, value: preview({ confirmation: { kind: 'click' }, risk: 'service-affecting' }) }),
      runAction: () =>
        answer === 'refuse'
          ? { ok: false, error: { code: 'conflict', message: 'trader-1 is busy with run-0' } }
          : ({ ok: true, value: { runId: 'run-2' } } as never),
    });
    await act(() => startPreview(fake.api, 'Clear a worker queue', request));
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('alert')).textContent).toBe('conflict: trader-1 is busy with run-0');
    answer = 'run';
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    await screen.findByRole('dialog', { name: 'Run: Clear a worker queue' });
    act(() =>
      applyRunStatus({ runId: 'run-2', hostId: 'trader-1', state: 'cancelled', exitCode: null, error: 'cancelled', at: new Date().toISOString() } as never),
    );
    expect(screen.getByRole('status', { name: 'trader-1 status' }).textContent).toBe('trader-1 ◌ cancelled');
  });
});
