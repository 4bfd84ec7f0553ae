// Debian's Chromium driven by playwright-core (no browser download is possible here).
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.OPSDECK_CHROMIUM ?? '/usr/lib/chromium/chromium';

/** `extraArgs`: more Chromium switches, e.g. --force-renderer-accessibility to run as a screen reader would have it. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
      '--disable-quic',
      ...extraArgs,
    ],
  });
}
