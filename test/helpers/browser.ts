import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { available } from './services.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = () => available('Chromium', existsSync(CHROMIUM), `${CHROMIUM} not found (apt-get install chromium)`);

/** Debian's Chromium, with the flags this closed network needs (no background calls home). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}
