// What every spec starts and stops the same way: the browser shell on a config, headless
// Chromium with one page open on the shell's URL, and the teardown that stops all of it (the
// spec's fleet too) even when the start-up failed half way.
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser';
import { startWebShell, type WebShell } from './webShell';

export interface ConsolePage {
  readonly shell: WebShell;
  readonly browser: Browser;
  readonly page: Page;
}

export interface OpenConsoleOptions {
  /** the shell's command line, e.g. ['--config', file] */
  readonly args: readonly string[];
  /** e.g. XDG_STATE_HOME, so the audit log and state stay in the spec's own folder */
  readonly env?: NodeJS.ProcessEnv;
  readonly viewport: { readonly width: number; readonly height: number };
}

export async function openConsole(options: OpenConsoleOptions): Promise<ConsolePage> {
  const shell = await startWebShell([...options.args], options.env);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { ...options.viewport } });
    await page.goto(shell.url);
    return { shell, browser, page };
  } catch (error) {
    await browser?.close();
    await shell.stop();
    throw error;
  }
}

/** For afterAll: closes what was opened, in reverse order; a part that never started is skipped. */
export async function closeConsole(opened: Partial<ConsolePage> | undefined, fleet?: { stop(): Promise<void> }): Promise<void> {
  await opened?.browser?.close();
  await opened?.shell?.stop();
  await fleet?.stop();
}
