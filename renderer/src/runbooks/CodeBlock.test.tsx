import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { RunbookCodeBlock, RunbookLine } from '../../../common/contract';
import { CodeBlock } from './CodeBlock';

const line = (text: string, over: Partial<RunbookLine> = {}): RunbookLine => ({
  text,
  kind: 'command',
  html: text,
  action: null,
  withheld: null,
  warnings: [],
  placeholders: [],
  ...over,
});

describe('Copy on a runbook line', () => {
  it('copies a bidi override as the escape the page shows, and says why', async () => {
    const user = userEvent.setup();
    const hidden = 'systemctl restart autotrader-api #\u202E tpircs';
    const block: RunbookCodeBlock = { index: 0, lang: 'sh', label: 'Restart', lines: [line(hidden, { withheld: 'never run: hidden characters' })] };
    render(<CodeBlock block={block} />);
    const figure = screen.getByRole('figure', { name: 'Code: Restart' });
    await user.click(within(figure).getAllByRole('button', { name: /Copy$/ }).at(-1)!);
    const copied = await navigator.clipboard.readText();
    expect(copied).toBe('systemctl restart autotrader-api #<U+202E> tpircs');
    expect(
      within(figure)
        .getAllByRole('status')
        .map((s) => s.textContent),
    ).toContainEqual(expect.stringMatching(/^copied; note: .*text-reordering \(bidirectional\)/));
  });
});
