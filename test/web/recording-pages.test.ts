import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildDashboard, DESKTOP, launchChromium, screenshots } from '../helpers/browser.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { driveAndCharge, replayAtRecordedTimes } from '../helpers/recorded-car.js';
import { readFixture } from '../recording/replay.js';
import { parseXml } from '../recording/xml.js';

/**
 * The dashboard's trips, charges and history pages in Debian's Chromium, against a real server with
 * the default rate limits: a simulated v2 car drives and then charges over a real socket, and the
 * pages show the trip and the charge with plausible figures; the GPX download is valid XML, the CSV
 * export streams, the range picker changes the series, a place is named from the map. A second car's
 * recorded drive and charge (test/fixtures/recording) give the screenshots realistic tracks and
 * curves. Screenshots at desktop and phone size, light and dark: test-results/recording-pages/.
 */
const shoot = screenshots('recording-pages');

/** A recorded two-hour charge to 80 %, then a 20-minute drive, three days ago, at their own pace. */
async function replayDemo(h: Harness): Promise<void> {
  const start = Math.floor(Date.now() / 86_400_000 - 3) * 86_400_000 + 7 * 3_600_000;
  for (const [name, at] of [
    ['charge.txt', start],
    ['drive.txt', start + 4 * 3_600_000],
  ] as const) {
    await replayAtRecordedTimes(h, name, at - readFixture(name)[0]!.at);
  }
}

/**
 * The recorded drive from a car that counts in miles (S field 2 `M`: ranges, odometer and speed in
 * miles), two hours ago at its own pace: a 12 mile trip of 1.8 kWh. Its last S then arrives over the
 * car's socket, so that the car's status says miles too.
 */
async function sendMilesDrive(h: Harness): Promise<void> {
  const miles = (code: string, payload: string) =>
    code === 'S' ? payload.replace(/^([^,]*),K,/, '$1,M,') : payload;
  const messages = readFixture('drive.txt');
  await replayAtRecordedTimes(h, 'drive.txt', Date.now() - 2 * 3_600_000 - messages[0]!.at, 'MI1', miles);
  const car = await h.connect('C', 'MI1', 's3');
  const lastS = messages.filter((m) => m.code === 'S').at(-1)!;
  car.send('S', miles('S', lastS.payload));
  car.send('A');
  await car.nextOf('a');
  await car.close();
  await h.server.recording.flush();
}

test('trips, charges and history pages in Chromium with a car that drives and charges', {
  timeout: 180_000,
}, async (t) => {
  await buildDashboard();
  // The server's defaults, rate limits included.
  const h = await startServer(t);
  await h.addVehicle('SIM1', 's1');
  await h.addVehicle('DEMO1', 's2');
  await h.addVehicle('MI1', 's3');
  await driveAndCharge(h, 'SIM1', 's1');
  await replayDemo(h);
  await sendMilesDrive(h);

  const browser = await launchChromium(t);
  const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const base = `http://127.0.0.1:${h.httpPort}/`;
  await page.goto(base);
  await page.getByLabel('User name').fill('owner');
  await page.getByLabel('Password').fill('owner-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Your vehicles' }).waitFor();
  // From here on (the login page's first look at /api/account is a 401), no failed request and no
  // Content-Security-Policy violation.
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });

  // Trips: the simulated drive, with a plausible distance and energy.
  await page.goto(`${base}#/v/SIM1/trips`);
  const trip = page.getByTestId('trip-list').getByRole('listitem').first();
  await trip.waitFor();
  const km = Number(
    await trip
      .getByTestId('trip-distance')
      .textContent()
      .then((s) => s?.split(' ')[0]),
  );
  const kwh = Number(
    await trip
      .getByTestId('trip-energy')
      .textContent()
      .then((s) => s?.split(' ')[0]),
  );
  assert.ok(km > 1 && km < 300, `${km} km`);
  assert.ok(kwh > 0.05 && kwh < 60, `${kwh} kWh`);
  assert.ok((kwh * 1000) / km > 50 && (kwh * 1000) / km < 400, `${kwh} kWh over ${km} km`);
  await shoot(page, '01-trips');

  // One trip: its track and profile; the GPX download is valid GPX 1.1.
  await trip.getByRole('link').click();
  await page.getByTestId('trip-detail').waitFor();
  const [gpxDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download GPX' }).click(),
  ]);
  const gpx = parseXml(readFileSync((await gpxDownload.path())!, 'utf8'));
  assert.equal(gpx.name, 'gpx');
  assert.equal(gpx.attributes.version, '1.1');
  assert.ok(gpx.find('trk')?.find('trkseg'), 'a track segment');

  // The charge: plausible energy, SOC rising.
  await page.getByRole('link', { name: 'Charges' }).click();
  const charge = page.getByTestId('charge-list').getByRole('listitem').first();
  await charge.waitFor();
  const added = Number(
    await charge
      .getByTestId('charge-energy')
      .textContent()
      .then((s) => s?.split(' ')[0]),
  );
  assert.ok(added > 0.5 && added < 120, `${added} kWh`);
  await shoot(page, '03-charges');

  // The recorded car: a 12 km trip; name its start "Home" from the map's buttons, then pick on the map.
  await page.goto(`${base}#/v/DEMO1/trips`);
  const demoTrip = page.getByTestId('trip-list').getByRole('listitem').first();
  await demoTrip.getByTestId('trip-distance').getByText('12.0').waitFor();
  await demoTrip.getByRole('link').click();
  await page.getByTestId('trip-speed').waitFor();
  await page.getByRole('button', { name: 'Use the start' }).click();
  await page.getByText("the trip's start").waitFor();
  await page.getByLabel('Place name').fill('Home');
  await page.getByLabel('Price per kWh (optional)').fill('0.3');
  await page.getByRole('button', { name: 'Save place' }).click();
  await page.getByText('Place "Home" saved').waitFor();
  await page.getByText(/^Home → /).waitFor();
  await page.getByRole('img', { name: /Map without tiles/ }).click({ position: { x: 40, y: 40 } });
  await page.getByText('picked on the map').waitFor();
  // Keyboard: the speed profile reads out its points.
  await page.getByTestId('trip-speed').getByRole('slider').focus();
  await page.keyboard.press('End');
  assert.match(
    (await page.getByTestId('trip-speed').getByRole('slider').getAttribute('aria-valuetext')) ?? '',
    /Speed \d/,
  );
  await shoot(page, '02-trip');

  // Its charge, at "Home" now, priced.
  await page.getByRole('link', { name: 'Charges' }).click();
  const demoCharge = page.getByTestId('charge-list').getByRole('listitem').first();
  await demoCharge.getByText(/: Home$/).waitFor();
  await demoCharge.getByRole('link').click();
  await page.getByTestId('charge-power').waitFor();
  await page.getByTestId('places').getByText('Home', { exact: true }).waitFor();
  await shoot(page, '04-charge');

  // History: three days ago is outside the last 24 h and inside the last 7 days.
  await page.getByRole('link', { name: 'History' }).click();
  const status = page.getByTestId('range-status');
  await status.getByText(/points/).waitFor();
  await page.getByText('Nothing recorded in this range').waitFor();
  await page.getByRole('button', { name: '7 d' }).click();
  await page.getByTestId('series-state-of-charge').waitFor();
  assert.match((await status.textContent()) ?? '', /\d+ points, one per 5 min/);
  assert.equal(await page.getByRole('button', { name: '7 d' }).getAttribute('aria-pressed'), 'true');
  await page.getByTestId('month-stats').getByRole('row').nth(1).waitFor();
  await shoot(page, '05-history');
  await page.getByRole('button', { name: 'Custom' }).click();
  // A custom range: the day of the recorded drive and charge.
  const day = new Date(Math.floor(Date.now() / 86_400_000 - 3) * 86_400_000);
  const local = (d: Date) =>
    new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByRole('textbox', { name: 'From' }).fill(local(day));
  await page.getByRole('textbox', { name: 'To' }).fill(local(new Date(day.getTime() + 86_400_000)));
  await page.getByRole('button', { name: 'Show' }).click();
  await status.getByText(/points, one per 60 s/).waitFor();
  // The car sent nothing between the end of the charge and the drive: the SOC line has a gap.
  const socPath = await page.getByTestId('series-state-of-charge').locator('path').first().getAttribute('d');
  assert.ok((socPath?.match(/M/g) ?? []).length >= 2, `a gap in the SOC line: ${socPath?.slice(0, 80)}`);
  // Targets at least 44 px high: the page links, range buttons, export links.
  const heights = await page
    .locator('.subnav a, .range-picker button, .exports a')
    .evaluateAll((els) => els.map((e) => [e.textContent, e.getBoundingClientRect().height] as const));
  assert.ok(heights.length > 10);
  for (const [text, height] of heights) assert.ok(height >= 44, `${text}: ${height} px`);
  await shoot(page, '06-history-custom');

  // A car in miles: distances, consumption, ranges and speeds in miles.
  await page.goto(`${base}#/v/MI1/trips`);
  const miles = page.getByTestId('trip-list').getByRole('listitem').first();
  assert.equal(await miles.getByTestId('trip-distance').textContent(), '12.0 mi');
  await miles.getByText('150 Wh/mi').waitFor();
  await page.getByRole('link', { name: 'History' }).click();
  const rangeChart = page.getByTestId('series-range').getByRole('slider', { name: 'Range (mi)' });
  await rangeChart.focus();
  await page.keyboard.press('End');
  // 195 to 208 miles of ideal range (334 km would be the same range in km).
  assert.match(
    (await rangeChart.getAttribute('aria-valuetext')) ?? '',
    /Ideal (19\d|20\d)(\.\d+)?, Estimated/,
  );
  await page.getByTestId('series-speed').getByRole('slider', { name: 'Speed (mph)' }).waitFor();
  await shoot(page, '07-history-miles');

  // The CSV export streams (chunked, no length) rows of the trips.
  const href = await page.getByRole('link', { name: 'Export trips as CSV' }).getAttribute('href');
  const csv = await page.request.get(new URL(href!, base).toString());
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'] ?? '', /^text\/csv/);
  assert.equal(csv.headers()['transfer-encoding'], 'chunked');
  const lines = (await csv.text()).trimEnd().split('\r\n');
  assert.equal(lines.length, 2, 'a header and the trip');
  assert.ok(lines[0]!.split(',').includes('distanceKm'));

  assert.deepEqual(errors, []);
});
