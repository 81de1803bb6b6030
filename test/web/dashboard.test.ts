import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { hashPassword } from '../../src/auth/passwords.js';
import { startCar } from '../../src/cli/car/simulator.js';
import { startServer } from '../helpers/harness.js';

/**
 * The web dashboard in Debian's Chromium against a real server with a simulated car: log in, watch SOC
 * change live, lock the car, see history, create and revoke a token, add a vehicle, the operator page.
 * Screenshots of each page at desktop and phone width (light and dark) go to test-results/dashboard/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../test-results/dashboard/', import.meta.url));
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: join(SHOTS, `${name}-phone-dark.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: 'light' });
}

test('web dashboard in Chromium with a simulated car', { timeout: 120_000 }, async (t) => {
  // The assets the server serves: built here so the test runs what the sources say.
  await build({
    configFile: fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  });
  mkdirSync(SHOTS, { recursive: true });

  // The rate limit is off here, and that hides a bug users meet: the page re-reads five endpoints on
  // every stream message, so a car reporting every 2 s uses up the default limit in about 95 s.
  // Issue 15 (item 7) makes the page live off the stream and this test run with the defaults.
  const h = await startServer(t, { settings: { 'http.ratelimit_burst': 0, 'log.level': 'info' } });
  const admin = await h.store.createOwner({
    name: 'ada',
    passwordHash: await hashPassword('ada-password'),
    admin: true,
  });
  await h.addVehicle('SIM1', 's1', admin);
  const car = startCar({
    client: { host: '127.0.0.1', port: h.port, vehicleId: 'SIM1', secret: 's1' },
    speedUp: 120,
    scenario: 'charge',
    seed: 7,
  });
  t.after(() => car.stop());
  await car.ready;

  const browser: Browser = await chromium.launch({
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
  // Playwright gives the browser a fresh, temporary profile of its own.
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: DESKTOP });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The page must work under its Content-Security-Policy: Chromium reports each violation on the console.
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  // The password never goes into a URL (the login is a POST body).
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('dialog', (d) => void d.accept());
  const base = `http://127.0.0.1:${h.httpPort}/`;

  // Log in: wrong password first, then right.
  const served = await page.goto(base);
  assert.match((await served?.allHeaders())?.['content-security-policy'] ?? '', /script-src 'self'/);
  await shoot(page, '01-login');
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('Wrong user name or password').waitFor();
  await page.getByLabel('Password').fill('ada-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Your vehicles' }).waitFor();
  await page.getByRole('link', { name: /SIM1.*online/ }).waitFor();
  await shoot(page, '02-vehicles');

  // The vehicle page: SOC changes live while the car charges.
  await page.getByRole('link', { name: /SIM1/ }).click();
  const soc = page.getByTestId('soc');
  await soc.filter({ hasText: /\d/ }).waitFor();
  const first = await soc.textContent();
  let now = first;
  for (const deadline = Date.now() + 30_000; now === first && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    now = await soc.textContent();
  }
  assert.notEqual(now, first, 'SOC changes live while the car charges');
  assert.equal(await page.getByTestId('car-state').textContent(), 'car online');
  assert.equal(await page.getByTestId('car-protocol').textContent(), 'v2');
  await page.getByText(/data \d+ s old/).waitFor();

  // Lock with the PIN: the car answers and its new lock state shows.
  assert.equal(await page.getByTestId('lock-state').textContent(), 'Unlocked');
  await page.getByLabel('PIN').fill('1234');
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.getByTestId('command-answer').getByText('Lock: the car confirmed').waitFor();
  await page.getByTestId('lock-state').getByText('Locked', { exact: true }).waitFor({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Unlock', exact: true }).waitFor();
  await shoot(page, '03-vehicle');

  // History: a chart drawn from the stored S records.
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByTestId('soc-chart').locator('canvas').waitFor();
  const summary = await page.getByTestId('history-summary').textContent();
  assert.match(summary ?? '', /^\d+ records/);
  assert.ok(Number(summary!.split(' ')[0]) >= 2, summary ?? '');
  await shoot(page, '04-history');

  // Tokens: create one, see it once, revoke it.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByLabel('Application').fill('grafana');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent()) ?? '';
  assert.ok(token.length >= 20, token);
  assert.equal((await h.store.listApiTokens(admin.id)).length, 1);
  await page.getByTestId('tokens').getByText('grafana').waitFor();
  await shoot(page, '05-account');
  await page.getByRole('button', { name: 'Revoke grafana' }).click();
  await page.getByText('No API tokens.').waitFor();
  assert.equal((await h.store.listApiTokens(admin.id)).length, 0);

  // ABRP: link the car with the owner's token; the state shows, the token itself never does.
  const abrp = page.getByTestId('abrp-SIM1');
  await abrp.getByLabel('ABRP token').fill('abrp-dashboard-token-1');
  await abrp.getByRole('button', { name: 'Link' }).click();
  await abrp.getByTestId('abrp-status').getByText('linked', { exact: true }).waitFor();
  await abrp.getByRole('button', { name: 'Unlink' }).waitFor();
  const link = await h.store.getAbrpLink({ ownerId: admin.id, vehicleId: 'SIM1' });
  assert.equal(link?.token, 'abrp-dashboard-token-1');
  assert.ok(!(await page.content()).includes('abrp-dashboard-token-1'), 'not shown after storing');

  // Add a vehicle: created, and the page says what to enter in the module.
  await page.getByRole('link', { name: 'Add vehicle' }).click();
  await shoot(page, '06-add');
  await page.getByLabel(/Vehicle ID/).fill('newcar');
  await page.getByRole('button', { name: 'Add vehicle' }).click();
  await page.getByRole('heading', { name: 'Vehicle NEWCAR added' }).waitFor();
  const secret = (await page.getByTestId('setup-secret').textContent()) ?? '';
  const created = await h.store.findVehicle('NEWCAR');
  assert.equal(created?.ownerId, admin.id);
  assert.equal(created?.secret, secret);
  await shoot(page, '07-added');

  // Operator page.
  await page.getByRole('link', { name: 'Operator' }).click();
  await page.getByTestId('admin-cars').getByText('1').waitFor();
  await page.getByRole('cell', { name: 'NEWCAR' }).waitFor();
  await shoot(page, '08-operator');

  assert.deepEqual(errors, []);
  assert.deepEqual(violations, []);
  assert.deepEqual(
    urls.filter((u) => u.includes('password')),
    [],
  );
});
