import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';

/** The dashboard's browser tests drive Debian's Chromium (CHROMIUM_PATH to use another). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Builds the dashboard's assets, so a browser test runs what the sources say. */
export async function buildDashboard(): Promise<void> {
  await build({
    configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  });
}

/** Headless Chromium with a fresh temporary profile, closed after the test; nothing reaches the internet. */
export async function launchChromium(t: TestContext): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.after(() => browser.close());
  return browser;
}

/**
 * Screenshots into test-results/<folder>/ as `<name>-{desktop,phone}[-dark].png`; on a phone the
 * page must not scroll sideways. Leaves the page at desktop size, light.
 */
export function screenshots(folder: string): (page: Page, name: string) => Promise<void> {
  const dir = fileURLToPath(new URL(`../../test-results/${folder}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  return async (page, name) => {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      // Charts measure their width: let them redraw at the new size.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        const suffix = scheme === 'dark' ? '-dark' : '';
        await page.screenshot({ path: join(dir, `${name}-${size}${suffix}.png`), fullPage: true });
      }
      if (size === 'phone') {
        const wide = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(wide <= PHONE.width, `${name}: the page scrolls sideways on a phone (${wide} px)`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize(DESKTOP);
  };
}
