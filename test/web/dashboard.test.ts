import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import { startCar } from '../../src/cli/car/simulator.js';
import { vehicleKey } from '../../src/server/hub.js';
import { buildDashboard, DESKTOP, launchChromium, screenshots } from '../helpers/browser.js';
import { type Harness, startServer } from '../helpers/harness.js';

/**
 * The web dashboard in Debian's Chromium against a real server, with the server's default rate
 * limits, a simulated car reporting while the page follows it, a tiled map served by a local tile
 * server, a server restart and an ended session mid-test. Screenshots of each page at desktop and
 * phone width, light and dark, go to test-results/dashboard/.
 */
const shoot = screenshots('dashboard');

/** A 1×1 PNG: every tile the map asks for. */
const TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A local tile server (the map must not depend on the internet): counts the tiles served. */
async function tileServer(t: TestContext): Promise<{ url: string; served: () => number }> {
  let served = 0;
  const server = createServer((req, res) => {
    if (!/^\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '')) return void res.writeHead(404).end();
    served++;
    res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' }).end(TILE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/{z}/{x}/{y}.png`, served: () => served };
}

/** Ports free now, for a server that must come back on the same ports after its restart. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = createServer();
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      return s;
    }),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** The car's app count as the server keeps it (HTTP sessions and streams included). */
const appCount = (h: Harness, ref: { ownerId: number; vehicleId: string }) =>
  h.server.hub.bus.presence.getAppCount(vehicleKey(ref));

/** Waits until `check` holds; nothing to await in the browser or server says when, so it looks again. */
async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** S field 12, tenths of a kWh, of the stored S. */
async function storedChargeTenths(h: Harness, ref: { ownerId: number; vehicleId: string }): Promise<number> {
  const s = (await h.store.getMessages(ref)).find((m) => m.code === 'S');
  return s ? Number(s.payload.toString().split(',')[11]) : Number.NaN;
}

test('web dashboard in Chromium with a simulated car, default rate limits, a restart', {
  timeout: 300_000,
}, async (t) => {
  await buildDashboard();
  const tiles = await tileServer(t);
  // Fixed (free) ports, so the page and the car find the server again after its restart.
  const [v2Port, httpPort, mqttPort] = await freePorts(3);
  // Default rate limits: the page must live within them.
  const h = await startServer(t, {
    settings: {
      'server.port': v2Port!,
      'server.http_port': httpPort!,
      'http.map_tiles': tiles.url,
      'mqtt.port': mqttPort!,
      'log.level': 'info',
    },
    mqtt: { mqtt: mqttPort! },
  });
  const admin = await h.store.createOwner({
    name: 'ada',
    passwordHash: await hashPassword('ada-password'),
    admin: true,
  });
  await h.addVehicle('SIM1', 's1', admin);
  await h.addVehicle('QUIET', 's2', admin);
  const ref = { ownerId: admin.id, vehicleId: 'SIM1' };
  // intervalConnected 60 simulated s at 120× speed: a full report every 0.5 s while the page watches
  // (a car reporting every 2 s for 3 minutes is 90 reports: here in 45 s).
  const carOptions = {
    client: { host: '127.0.0.1', port: v2Port!, vehicleId: 'SIM1', secret: 's1' },
    speedUp: 120,
    scenario: 'charge' as const,
    seed: 7,
  };
  let car = startCar(carOptions);
  t.after(() => car.stop());
  await car.ready;
  // A recent track near the car, in the history the page reads: the map draws it.
  await eventually('the car sent its position', async () =>
    (await h.store.getMessages(ref)).some((m) => m.code === 'L'),
  );
  const l = (await h.store.getMessages(ref)).find((m) => m.code === 'L')!;
  const [lat, lon] = l.payload.toString().split(',').map(Number) as [number, number];
  for (let i = 0; i < 5; i++) {
    await h.store.addHistory(ref, {
      type: 'L',
      recno: 0,
      timestamp: new Date(Date.now() - (5 - i) * 60_000),
      data: Buffer.from(
        `${(lat - 0.002 + i * 0.0004).toFixed(6)},${(lon - 0.002 + i * 0.0004).toFixed(6)},90,10,1,0`,
      ),
      expires: new Date(Date.now() + 86_400_000),
    });
  }

  const browser = await launchChromium(t);
  const base = `http://127.0.0.1:${httpPort}/`;
  const context = await browser.newContext({ viewport: DESKTOP });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base.slice(0, -1) });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The page must work under its Content-Security-Policy: Chromium reports each violation on the console.
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  // The password never goes into a URL (the login is a POST body); 429s are counted.
  const urls: string[] = [];
  let refused = 0;
  page.on('request', (r) => urls.push(r.url()));
  page.on('response', (r) => {
    if (r.status() === 429) refused++;
  });
  // Confirmations (unlock, valet off, homelink) are accepted; each is recorded.
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });

  const soc = page.getByTestId('soc');
  const liveBadge = page.getByText('live', { exact: true });
  /** Logged in on `hash` (each part runs even when one before it failed, as against older code). */
  const loggedInOn = async (hash: string) => {
    await page.goto(`${base}${hash}`);
    const form = page.getByLabel('User name');
    const heading = page.locator('main h1');
    await Promise.race([form.waitFor(), heading.waitFor()]);
    if (await form.isVisible()) {
      await form.fill('ada');
      await page.getByLabel('Password').fill('ada-password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await heading.waitFor();
    }
  };

  await t.test('log in, kept on this device; the vehicle list', async () => {
    // Log in: wrong password first, then right, kept on this device.
    const served = await page.goto(base);
    assert.match((await served?.allHeaders())?.['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByLabel('User name').waitFor();
    assert.equal(
      await page.getByText('Your session has ended').count(),
      0,
      'a first visit is no ended session',
    );
    // Item 12, checked at the end of this part so the parts after it still start logged in.
    const loginTitle = eventually(
      'the title names the page',
      async () => (await page.title()) === 'Log in – OVMS',
    );
    loginTitle.catch(() => {});
    await shoot(page, '01-login');
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Wrong user name or password').waitFor();
    await page.getByLabel('Password').fill('ada-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Your vehicles' }).waitFor();
    await page.getByRole('link', { name: /SIM1.*online/ }).waitFor();
    await page.getByTestId('facts-SIM1').filter({ hasText: /\d+ %/ }).waitFor();
    // Item 4: a reporting car's data has an age.
    await page.getByRole('link', { name: /SIM1.*data \d+ s old/ }).waitFor();
    await page.getByRole('link', { name: /QUIET.*offline.*no data yet/ }).waitFor();
    await shoot(page, '02-vehicles');
    await loginTitle;
  });

  await t.test('the vehicle page follows the car as one app', async () => {
    // The vehicle page: live off the stream; it counts as one app of the car.
    if (!(await page.getByRole('link', { name: /SIM1/ }).isVisible())) await loggedInOn('#/');
    await page.getByRole('link', { name: /SIM1/ }).click();
    await soc.filter({ hasText: /\d/ }).waitFor();
    await page.getByTestId('car-state').getByText('car online').waitFor();
    assert.equal(await page.getByTestId('car-protocol').textContent(), 'v2');
    await liveBadge.waitFor();
    await eventually('the page counts as an app', async () => (await appCount(h, ref)) === 1);
    await eventually('the title names the car', async () => (await page.title()) === 'SIM1 – OVMS');
  });

  await t.test('item 1: energy this charge in kWh', async () => {
    // Issue 15 item 1: "Energy this charge" is S field 12 in tenths of a kWh.
    await eventually(
      'the charge has some energy',
      async () => (await storedChargeTenths(h, ref)) >= 20,
      60_000,
    );
    await eventually('Energy this charge shows S field 12 / 10', async () => {
      const energy = page.locator('.stat', { hasText: 'Energy this charge' }).locator('dd');
      const shown = Number.parseFloat((await energy.textContent()) ?? '');
      return Math.abs(shown - (await storedChargeTenths(h, ref)) / 10) <= 0.5;
    });
  });

  await t.test('item 10: the tiled map draws the track', async () => {
    // Item 10: the tiled map draws the track (the history's positions and the live ones).
    await page.locator('.leaflet-tile-loaded').first().waitFor();
    assert.ok(tiles.served() > 0, 'tiles came from the tile server');
    await eventually('the track is drawn', async () => {
      const d = await page
        .locator('.leaflet-overlay-pane path')
        .first()
        .getAttribute('d')
        .catch(() => null);
      return /L/.test(d ?? '');
    });
  });

  await t.test('item 7: 90 car reports within the default rate limit', async () => {
    // Item 7: 90+ car reports while the page watches, with the default rate limit: no 429, live,
    // fresh data, and SOC changing.
    let reports = 0;
    const unwatch = await h.server.hub.watch(ref, (line) => {
      if (line.code === 'S') reports++;
    });
    const firstSoc = await soc.textContent();
    while (reports < 90) {
      await page
        .getByTestId('data-age')
        .getByText(/data \d+ s old/)
        .waitFor();
      assert.equal(await page.getByText('Too many requests').count(), 0);
      assert.equal(refused, 0, 'no request was refused 429');
      assert.equal(await liveBadge.count(), 1, 'live');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await unwatch();
    assert.equal(refused, 0, 'no request was refused 429');
    assert.notEqual(await soc.textContent(), firstSoc, 'SOC changes live while the car charges');
  });

  await t.test('item 6: controls preset from the car, lock and unlock', async () => {
    // Item 6: the controls start from the car's own state; clear messages for bad input.
    const chargeLimit = (await h.store.getMessages(ref))
      .find((m) => m.code === 'S')!
      .payload.toString()
      .split(',')[8];
    assert.equal(await page.getByLabel('Charge current limit').inputValue(), chargeLimit);
    await page.getByLabel('Charge current limit').fill('0');
    await page.getByText('The charge current is a whole number of amperes from 1 to 80').waitFor();
    await page.getByLabel('Charge current limit').fill(chargeLimit!);

    // Lock with the PIN: the car answers and its new lock state shows; focus goes to the answer.
    assert.equal(await page.getByTestId('lock-state').textContent(), 'Unlocked');
    await page.getByLabel('PIN').fill('1234');
    await page.getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByTestId('command-answer').getByText('Lock: the car confirmed').waitFor();
    await page.getByTestId('lock-state').getByText('Locked', { exact: true }).waitFor({ timeout: 15_000 });
    // Focus moves to the answer on the next animation frame, which a loaded machine may draw after
    // the lock state shows: waited for, not looked at once.
    await page.waitForFunction(
      "document.activeElement?.getAttribute('data-testid') === 'command-answer'",
      null,
      {
        timeout: 5000,
      },
    );
    // Unlocking acts on the physical world: it asks first.
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByTestId('command-answer').getByText('Unlock: the car confirmed').waitFor();
    assert.match(dialogs.at(-1) ?? '', /^Unlock SIM1\?/);
    await shoot(page, '03-vehicle');
  });

  await t.test('item 8: a server restart keeps the session', async () => {
    // Item 8: a server restart mid-stream: the session is stored, the page comes back live by itself.
    await h.restart();
    await liveBadge.waitFor({ timeout: 30_000 });
    await page.getByTestId('car-state').getByText('car online').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByRole('button', { name: 'Log in' }).count(), 0, 'no new login needed');
  });

  await t.test('item 5: the car going offline shows at once', async () => {
    // Item 5: the car going away shows at once, commands then say so; it comes back.
    await car.stop();
    await page.getByTestId('car-state').getByText('car offline').waitFor({ timeout: 5000 });
    await page.getByText('The buttons wait for the car to come online.').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Lock', exact: true }).isDisabled());
    car = startCar(carOptions);
    await car.ready;
    await page.getByTestId('car-state').getByText('car online').waitFor({ timeout: 5000 });
  });

  await t.test('item 8: an ended session, the login, back to the same page', async () => {
    // Item 8: the session ends (here: removed, then the server restarts so the stream reconnects):
    // "session ended", the login form, and back to the same page after logging in.
    await h.store.deleteOwnerSessions(admin.id);
    await h.restart();
    await page.getByText('Your session has ended').waitFor({ timeout: 30_000 });
    await page.getByLabel('User name').fill('ada');
    await page.getByLabel('Password').fill('ada-password');
    await page.getByLabel('Keep me logged in').check();
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'SIM1' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'ovmsapisession');
    assert.ok(cookie && cookie.expires > Date.now() / 1000 + 7 * 86400, 'a remembered session lasts days');
    await liveBadge.waitFor({ timeout: 30_000 });
  });

  await t.test('history, and item 9: leaving the page releases its app', async () => {
    if (!(await page.getByRole('link', { name: 'History' }).isVisible())) await loggedInOn('#/v/SIM1');
    // History: a chart drawn from the stored S records.
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('link', { name: 'Stored status records of the last day' }).click();
    await page.getByTestId('soc-chart').locator('canvas').waitFor();
    const summary = await page.getByTestId('history-summary').textContent();
    assert.match(summary ?? '', /^\d+ records/);
    assert.ok(Number(summary!.split(' ')[0]) >= 2, summary ?? '');
    // Item 9: leaving the vehicle page releases its app at once.
    await eventually(
      'the app is released when the page closes its stream',
      async () => (await appCount(h, ref)) === 0,
      5000,
    );
    await shoot(page, '04-history');
  });

  await t.test('item 3: no data yet, and not found', async () => {
    // Item 3: a car that never sent anything, and a vehicle that does not exist.
    await page.goto(`${base}#/v/QUIET`);
    await page.getByTestId('car-state').getByText('car offline').waitFor();
    assert.equal(await page.getByTestId('lock-state').textContent(), 'no data yet');
    assert.equal(await page.getByTestId('data-age').textContent(), 'no data yet');
    await shoot(page, '09-vehicle-no-data');
    await page.goto(`${base}#/v/NOPE`);
    await page.getByRole('heading', { name: 'Vehicle not found' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Lock|Unlock/ }).count(), 0);
    await shoot(page, '10-not-found');
  });

  await t.test('account: tokens and ABRP', async () => {
    // Tokens: create one, see it once, revoke it.
    await loggedInOn('#/');
    await page.getByRole('link', { name: 'Account' }).click();
    // Item 12: the title names the page; focus moves to its heading.
    await eventually('the title names the page', async () => (await page.title()) === 'Account – OVMS');
    await eventually('focus on the heading', async () =>
      /^Account/.test(String(await page.evaluate('document.activeElement.textContent'))),
    );
    await page.getByLabel('Application').fill('grafana');
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = (await page.getByTestId('new-token').textContent()) ?? '';
    assert.ok(token.length >= 20, token);
    assert.equal((await h.store.listApiTokens(admin.id)).length, 1);
    await page.getByTestId('tokens').getByText('grafana').waitFor();
    // Item 13: a token never used says so (it showed its creation time).
    await page.getByTestId('tokens').getByRole('cell', { name: 'never' }).waitFor();
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
  });

  await t.test('item 2 and issue 17: the module set-up for v2 and v3', async () => {
    await loggedInOn('#/');
    // Item 2 (and issue 17): add a vehicle; the module set-up for v2 and v3, secrets quoted, with the
    // firmware's parameter order, and a copy button per line.
    await page.getByRole('link', { name: 'Add vehicle' }).click();
    await shoot(page, '06-add');
    await page.getByLabel(/Vehicle ID/).fill('newcar');
    await page.getByRole('button', { name: 'Add vehicle' }).click();
    await page.getByRole('heading', { name: 'Vehicle NEWCAR added' }).waitFor();
    const secret = (await page.getByTestId('setup-secret').textContent()) ?? '';
    const created = await h.store.findVehicle('NEWCAR');
    assert.equal(created?.ownerId, admin.id);
    assert.equal(created?.secret, secret);
    const v2 = page.getByTestId('setup-v2');
    const v2Lines = await v2.locator('code').allTextContents();
    assert.ok(v2Lines.includes(`config set password server.v2 "${secret}"`), v2Lines.join('\n'));
    assert.ok(v2Lines.includes('config set server.v2 server 127.0.0.1'), v2Lines.join('\n'));
    assert.ok(!v2Lines.some((line) => line.startsWith('config set server.v2 password')));
    const passwordLine = `config set password server.v2 "${secret}"`;
    await v2.getByRole('button', { name: `Copy: ${passwordLine}` }).click();
    await v2
      .getByRole('button', { name: `Copy: ${passwordLine}` })
      .getByText('Copied')
      .waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), passwordLine);
    const v3Lines = await page.getByTestId('setup-v3').locator('code').allTextContents();
    for (const line of [
      'config set server.v3 server 127.0.0.1',
      'config set server.v3 user NEWCAR',
      `config set password server.v3 "${secret}"`,
      'config set server.v3 topic.prefix ovms/ada/NEWCAR/',
      `config set server.v3 port ${mqttPort}`,
    ])
      assert.ok(v3Lines.includes(line), `${line} in:\n${v3Lines.join('\n')}`);
    await shoot(page, '07-added');
  });

  await t.test('operator page', async () => {
    // Operator page.
    await page.getByRole('link', { name: 'Operator' }).click();
    await page.getByTestId('admin-cars').getByText('1').waitFor();
    await page.getByRole('cell', { name: 'NEWCAR' }).waitFor();
    // Item 14: the operator's own vehicles link to their pages; an owner's name filters the list.
    await page.getByRole('heading', { name: 'Vehicles (3)' }).waitFor();
    await page.getByRole('row', { name: /SIM1/ }).getByRole('link', { name: 'SIM1' }).waitFor();
    await page.getByRole('button', { name: 'ada' }).click();
    await page.getByRole('heading', { name: 'Vehicles of ada (3)' }).waitFor();
    await shoot(page, '08-operator');
  });

  await t.test('item 9: a closed tab releases its app', async () => {
    // Item 9: a tab closed on the vehicle page (no unload handler runs) releases its app at once.
    await page.goto(`${base}#/v/SIM1`);
    await liveBadge.waitFor();
    await eventually('the page counts as an app', async () => (await appCount(h, ref)) === 1);
    await page.close();
    await eventually('the closed tab is no longer an app', async () => (await appCount(h, ref)) === 0, 5000);
  });

  assert.deepEqual(errors, []);
  assert.deepEqual(violations, []);
  assert.deepEqual(
    urls.filter((u) => u.includes('password')),
    [],
  );
});
