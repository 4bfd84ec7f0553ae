import { act, render, screen } from '@testing-library/react';
import { Activity } from 'react';
import { describe, expect, it } from 'vitest';
import { useAfterPaint } from './useAfterPaint';

function PanelLike() {
  const chartsMayRender = useAfterPaint();
  return (
    <section>
      <table aria-label="Circuit breakers">
        <tbody>
          <tr>
            <th>coingecko_api</th>
          </tr>
        </tbody>
      </table>
      {chartsMayRender ? <figure aria-label="history" /> : <p>loading charts…</p>}
    </section>
  );
}

describe('charts wait for a painted frame', () => {
  it('commits the table first, with the charts held back; they follow once a frame has been painted', async () => {
    render(<PanelLike />);
    expect(screen.getByRole('table', { name: 'Circuit breakers' })).toBeTruthy();
    expect(screen.queryByRole('figure', { name: 'history' })).toBeNull();
    expect(screen.getByText('loading charts…')).toBeTruthy();
    expect(await screen.findByRole('figure', { name: 'history' })).toBeTruthy();
  });

  it('hidden in an Activity the charts go; shown again, the table comes back at once and the charts a frame later', async () => {
    const view = (mode: 'visible' | 'hidden') => (
      <Activity mode={mode}>
        <PanelLike />
      </Activity>
    );
    const { container, rerender } = render(view('visible'));
    expect(await screen.findByRole('figure', { name: 'history' })).toBeTruthy();
    await act(async () => rerender(view('hidden')));
    expect(container.querySelector('figure')).toBeNull();
    act(() => rerender(view('visible')));
    expect(screen.getByRole('table', { name: 'Circuit breakers' })).toBeTruthy();
    expect(container.querySelector('figure')).toBeNull();
    expect(await screen.findByRole('figure', { name: 'history' })).toBeTruthy();
  });
});
