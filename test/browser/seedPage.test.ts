import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPageFile } from '../../src/ingest/page/importPage.js';
import { isChromeLine } from '../../src/ingest/page/parse.js';
import { buildApp } from '../../src/web/app.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { SEED_PATH, hasSeed, openTestSite, type TestSite } from '../helpers/services.js';

const IMAGE_FILE = /^[^\s/]+\.(png|jpe?g|webp|gif|avif)$/i;

describe.runIf(hasChromium() && hasSeed())('the seed page in Chromium', () => {
  let site: TestSite;
  let app: FastifyInstance;
  let browser: Browser;
  let origin: string;
  let path: string;

  beforeAll(async () => {
    site = await openTestSite();
    const r = await importPageFile(site.services, SEED_PATH, { publish: true });
    app = await buildApp({ services: site.services });
    origin = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
    path = new URL(r.url).pathname;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await site?.dispose();
  });

  /** Opens a page that records console errors and any request leaving our origin. */
  async function open(): Promise<{ page: Page; errors: string[]; foreign: string[] }> {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (req) => {
      if (!req.url().startsWith(origin) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    await page.goto(origin + path, { waitUntil: 'networkidle' });
    return { page, errors, foreign };
  }

  it('shows every line of the seed except the site chrome, in order', async () => {
    const { page } = await open();
    const text = await page.evaluate(() => document.body.innerText);
    const lines = readFileSync(SEED_PATH, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      // The image file name is the picture's address, not text; here the file is missing.
      .filter((l) => l && !isChromeLine(l) && !IMAGE_FILE.test(l));
    // Headline, time line, caption, dateline and the 23 body lines.
    expect(lines).toHaveLength(27);
    let at = 0;
    for (const line of lines) {
      const found = text.indexOf(line, at);
      expect(found, `"${line}" missing or out of order`).toBeGreaterThanOrEqual(0);
      at = found + line.length;
    }
  });

  it('is Arabic, right to left, error-free, and asks nothing of other origins', async () => {
    const { page, errors, foreign } = await open();
    expect(await page.getAttribute('html', 'lang')).toBe('ar');
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });

  it('scales the body text with +A and -A and remembers the choice across reloads', async () => {
    const { page, errors } = await open();
    const size = () =>
      page.$eval('.article-body p', (p) => parseFloat(getComputedStyle(p).fontSize));
    const larger = page.getByRole('button', { name: 'تكبير الخط' });
    const smaller = page.getByRole('button', { name: 'تصغير الخط' });
    expect(await larger.innerText()).toBe('+A');
    expect(await smaller.innerText()).toBe('-A');

    const initial = await size();
    await larger.click();
    const bigger = await size();
    expect(bigger).toBeGreaterThan(initial);

    await page.reload({ waitUntil: 'networkidle' });
    expect(await size()).toBe(bigger);

    // Keyboard: the controls are real buttons.
    await smaller.focus();
    await page.keyboard.press('Enter');
    expect(await size()).toBe(initial);
    await page.keyboard.press('Enter');
    expect(await size()).toBeLessThan(initial);

    await page.reload({ waitUntil: 'networkidle' });
    expect(await size()).toBeLessThan(initial);
    expect(errors).toEqual([]);
  });

  it('hides the font-size control when JavaScript is off, and the page still reads', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(origin + path);
    expect(await page.isVisible('.fontsize')).toBe(false);
    expect(await page.isVisible('h1')).toBe(true);
    await context.close();
  });
});
