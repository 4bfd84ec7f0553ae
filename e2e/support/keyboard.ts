// Driving the page with the keyboard alone, as the keyboard specs do: what has focus (as a
// screen reader names it) and Tab until a named control has it.
import type { Page } from 'playwright-core';

export interface Focused {
  role: string;
  name: string;
}

/** The focused element as a screen reader would name it (aria-label, else its text), with its role. */
export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { role: 'body', name: '' };
    const labelled = el.getAttribute('aria-labelledby');
    const name = el.getAttribute('aria-label') ?? (labelled ? document.getElementById(labelled)?.textContent : null) ?? el.textContent ?? '';
    return { role: el.getAttribute('role') ?? el.tagName.toLowerCase(), name: name.replace(/\s+/g, ' ').trim() };
  });
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; fails naming every stop it passed. */
export async function tabTo(page: Page, name: RegExp | string, options: { back?: boolean; max?: number } = {}): Promise<void> {
  const seen: string[] = [];
  const wanted = typeof name === 'string' ? (n: string) => n === name : (n: string) => name.test(n);
  for (let i = 0; i < (options.max ?? 250); i++) {
    await page.keyboard.press(options.back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    if (wanted(now.name)) return;
    seen.push(`${now.role} "${now.name.slice(0, 60)}"`);
  }
  throw new Error(`Tab never reached ${String(name)}; it passed:\n${seen.join('\n')}`);
}
