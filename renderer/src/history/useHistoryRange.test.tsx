import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { OpsApi } from '../../../common/contract';
import type { HistorySeries } from '../../../common/thresholds';
import { fakeApi } from '../../test/fakeApi';
import { ChartRangePicker } from './ChartRangePicker';
import { HistoryChart } from './HistoryChart';
import { seedHistory } from './historyStore';
import { useHistoryRange } from './useHistoryRange';
import { wholeNumber } from './chartFormats';

const MINUTE = 60_000;
/** the newest poll, on a minute so the captions' clock times are plain to read */
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE;
const clock = (t: number) => new Date(t).toISOString().slice(11, 16);
/** the live hour at 5 s, latency 100 ms */
const hour: HistorySeries = { metric: 'sla.latency_p95_ms', item: 'coingecko', points: Array.from({ length: 720 }, (_, i) => [NOW - (719 - i) * 5000, 100]) };
/** what main holds before that hour: each minute's worst at the minute's start for 23 h, a spike among them */
const minutes: Array<[number, number]> = Array.from({ length: 23 * 60 }, (_, i) => [NOW - 24 * 60 * MINUTE + i * MINUTE, i === 4 * 60 ? 9000 : 100]);

function Page({ api }: { api: OpsApi }) {
  useHistoryRange(api, 'prod');
  return (
    <>
      <ChartRangePicker />
      <HistoryChart deploymentId="prod" metric="sla.latency_p95_ms" title="p95 latency" unit="ms" format={wholeNumber} />
    </>
  );
}

describe('switching the chart range', () => {
  it('asks main for a range longer than the hour and draws its minutes before the live hour; back within the hour, the hour alone', async () => {
    const fake = fakeApi({
      getHistory: (request) => ({
        ok: true,
        value: { series: [{ ...hour, points: [...minutes, ...hour.points].filter(([t]) => t >= (request.sinceMs ?? -Infinity)) }], thresholds: {} },
      }),
    });
    act(() => seedHistory('prod', [hour], {}));
    render(<Page api={fake.api} />);
    const caption = () => within(screen.getByRole('figure', { name: 'p95 latency history' })).getByText(/^p95 latency/).textContent;
    // the default hour is the live one: nothing more is asked for
    expect(caption()).toBe(`p95 latency (ms) · 1 h: since ${clock(NOW - 60 * MINUTE)} UTC`);
    expect(fake.calls('getHistory')).toEqual([]);

    const user = userEvent.setup();
    const range = screen.getByRole('group', { name: 'Chart time range' });
    await user.click(within(range).getByRole('button', { name: '24 h' }));
    expect(within(range).getByRole('button', { name: '24 h' }).getAttribute('aria-pressed')).toBe('true');
    const [asked] = fake.calls('getHistory') as Array<{ sinceMs: number; deploymentId: string }>;
    expect(asked!.deploymentId).toBe('prod');
    expect(Date.now() - asked!.sinceMs).toBeGreaterThanOrEqual(24 * 60 * MINUTE);
    await screen.findByText(/per-minute worst beyond 1 h/);
    expect(caption()).toBe(`p95 latency (ms) · 24 h: since ${clock(NOW - 24 * 60 * MINUTE)} UTC · per-minute worst beyond 1 h`);

    await user.click(within(range).getByRole('button', { name: '3 h' }));
    await screen.findByText(new RegExp(`3 h: since ${clock(NOW - 3 * 60 * MINUTE)} UTC`));
    expect((fake.calls('getHistory') as Array<{ sinceMs: number }>).at(-1)!.sinceMs).toBeGreaterThan(asked!.sinceMs);

    await user.click(within(range).getByRole('button', { name: '15 min' }));
    expect(caption()).toBe(`p95 latency (ms) · 15 min: since ${clock(NOW - 15 * MINUTE)} UTC`);
    expect(fake.calls('getHistory')).toHaveLength(2);
  });
});
