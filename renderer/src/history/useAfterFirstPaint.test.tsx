import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useAfterFirstPaint } from './useAfterFirstPaint';

function PanelLike() {
  const chartsMayRender = useAfterFirstPaint();
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

describe('charts wait for the first painted frame', () => {
  it('commits the table first, with the charts held back; they follow once a frame has been painted', async () => {
    render(<PanelLike />);
    expect(screen.getByRole('table', { name: 'Circuit breakers' })).toBeTruthy();
    expect(screen.queryByRole('figure', { name: 'history' })).toBeNull();
    expect(screen.getByText('loading charts…')).toBeTruthy();
    expect(await screen.findByRole('figure', { name: 'history' })).toBeTruthy();
    // after that, a panel mounted later draws its charts at once
    const { container } = render(<PanelLike />);
    await act(async () => {});
    expect(container.querySelector('figure')).not.toBeNull();
  });
});
