import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Static, Type } from '@sinclair/typebox';
import {
  ChargeDetail,
  ChargeRow,
  Series,
  StatRowSchema,
  TripDetail,
  TripRow,
} from '../../src/http/recording-schemas.js';
import { addApiToken } from '../helpers/api-tokens.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { driveAndCharge, replayAtRecordedTimes } from '../helpers/recorded-car.js';
import { Api, assertJson, assertText } from '../http/api-client.js';
import { readFixture } from '../recording/replay.js';
import { parseXml } from '../recording/xml.js';

// Runs on SQLite here, and on PostgreSQL and MariaDB through test/backends (OVMS_TEST_STORE).

/** Sends a fixture's messages as a car would (times are the server's: the sequence, not its pace, counts). */
async function sendFixture(h: Harness, name: string, vehicleId = 'DEMO1'): Promise<void> {
  const car = await h.connect('C', vehicleId, 's1');
  let ack = 100;
  for (const m of readFixture(name)) {
    // The module's own log records arrive as acked history records (h), as v3 sends them.
    if (m.code === 'H') car.send('h', `${ack++},0,${m.payload}`);
    else car.send(m.code, m.payload);
  }
  car.send('A');
  await car.nextOf('a');
  await car.close();
  await h.server.recording.flush();
}

type Trip = Static<typeof TripRow>;

test('a drive and a charge become a trip and a charge session on the API: list, detail, GPX, series, stats, export', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  // The recorded morning moved to yesterday from 00:10 UTC: in the API's default ranges, and in one
  // day (so one month) whatever the time the test runs.
  const yesterday = Math.floor(Date.now() / 86_400_000 - 1) * 86_400_000;
  const shift = yesterday + 600_000 - readFixture('drive.txt')[0]!.at;
  await replayAtRecordedTimes(h, 'drive.txt', shift);
  await replayAtRecordedTimes(h, 'charge.txt', shift + 3 * 3_600_000);
  const api = new Api(h);

  const trips = assertJson(
    await api.withPassword('GET', '/api/trips/DEMO1'),
    200,
    Type.Array(TripRow),
  ) as Trip[];
  assert.equal(trips.length, 1);
  const [trip] = trips;
  assert.equal(trip!.distanceKm, 12);
  assert.equal(trip!.distance, 12);
  assert.equal(trip!.unit, 'km');
  assert.equal(trip!.energyKwh, 1.8);
  assert.equal(trip!.whPerKm, 150);
  assert.equal(trip!.socUsed, 5.1);
  assert.match(trip!.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const detail = assertJson(
    await api.withPassword('GET', `/api/trips/DEMO1/${trip!.id}`),
    200,
    TripDetail,
  ) as {
    track: { lat: number; lon: number }[];
  };
  // One sample a minute (history.sample_s) over the 20 minutes, each with its position.
  assert.ok(detail.track.length >= 19 && detail.track.length <= 22, `${detail.track.length} track points`);

  const gpx = await api.withPassword('GET', `/api/trips/DEMO1/${trip!.id}.gpx`);
  assert.equal(gpx.status, 200, gpx.text);
  assert.match(gpx.headers.get('content-type') ?? '', /^application\/gpx\+xml/);
  const doc = parseXml(gpx.text);
  assert.equal(doc.name, 'gpx');
  assert.equal(doc.attributes.version, '1.1');
  assert.equal(doc.attributes.xmlns, 'http://www.topografix.com/GPX/1/1');
  const points = doc
    .find('trk')!
    .find('trkseg')!
    .children.filter((c) => c.name === 'trkpt');
  assert.equal(points.length, detail.track.length);
  assert.equal(Number(points[0]!.attributes.lat), detail.track[0]!.lat);

  const charges = assertJson(
    await api.withPassword('GET', '/api/charges/DEMO1'),
    200,
    Type.Array(ChargeRow),
  ) as Static<typeof ChargeRow>[];
  assert.equal(charges.length, 1);
  assert.equal(charges[0]!.energyKwh, 15.96, 'the module log record (sent as h) gives the energy');
  assert.equal(charges[0]!.energySource, 'module');
  assert.equal(charges[0]!.endState, 'done');
  assert.equal(charges[0]!.peakPowerKw, 7.2);
  const charge = assertJson(
    await api.withPassword('GET', `/api/charges/DEMO1/${charges[0]!.id}`),
    200,
    ChargeDetail,
  ) as { curve: { chargePowerKw: number | null }[] };
  // A sample a minute over the two hours.
  assert.ok(charge.curve.length >= 100, `${charge.curve.length} curve points`);
  assert.ok(charge.curve.every((p) => p.chargePowerKw !== null && p.chargePowerKw <= 7.2));

  const series = assertJson(
    await api.withPassword('GET', '/api/series/DEMO1', {
      query: { fields: 'soc,range,odometer', from: new Date(Date.now() - 2 * 86_400_000).toISOString() },
    }),
    200,
    Series,
  ) as { fields: string[]; points: { soc: number }[]; step: number };
  assert.deepEqual(series.fields, ['soc', 'rangeEstKm', 'odometerKm']);
  assert.ok(series.points.length > 100 && series.points.length <= 2000, `${series.points.length} points`);
  // Two days in at most 2000 points: 87 s a step at least.
  assert.equal(series.step, 87);
  const year = await api.withPassword('GET', '/api/series/DEMO1', {
    query: { from: new Date(Date.now() - 365 * 86_400_000).toISOString(), step: '1' },
  });
  assert.ok((assertJson(year, 200, Series) as { step: number }).step >= (365 * 86400) / 2000);

  const stats = assertJson(
    await api.withPassword('GET', '/api/stats/DEMO1', { query: { period: 'month' } }),
    200,
    Type.Array(StatRowSchema),
  ) as { trips: number; distanceKm: number; charges: number; chargedKwh: number; whPerKm: number }[];
  assert.equal(stats.length, 1);
  assert.equal(stats[0]!.trips, 1);
  assert.equal(stats[0]!.distanceKm, 12);
  assert.equal(stats[0]!.charges, 1);
  assert.equal(stats[0]!.chargedKwh, 15.96);

  const csv = await api.withPassword('GET', '/api/export/DEMO1', { query: { what: 'trips', format: 'csv' } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  const lines = csv.text.trimEnd().split('\r\n');
  assert.equal(lines.length, 2);
  const header = lines[0]!.split(',');
  assert.equal(lines[1]!.split(',')[header.indexOf('distanceKm')], '12');
  const json = await api.withPassword('GET', '/api/export/DEMO1', {
    query: { what: 'series', format: 'json' },
  });
  assert.ok(Array.isArray(json.json) && (json.json as unknown[]).length >= 1);
  await sendFixture(h, 'charge.txt');
  const history = await api.withPassword('GET', '/api/export/DEMO1', { query: { what: 'history' } });
  assert.ok(history.text.includes('*-LOG-Grid'), 'stored history is exported too');
});

test('places: named by the owner, shown on charges, priced; bad input is a 400 with a reason', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const api = new Api(h);
  const put = await api.withPassword('PUT', '/api/places', {
    body: { name: 'Home', lat: 52.0905, lon: 5.1217, radiusM: 200, pricePerKwh: 0.3 },
  });
  const home = assertJson(put, 200) as { id: number; name: string };
  assert.equal(home.name, 'Home');
  await sendFixture(h, 'charge.txt');
  const [charge] = (await api.withPassword('GET', '/api/charges/DEMO1')).json as {
    place: { name: string };
    cost: number;
    gridKwh: number;
  }[];
  assert.equal(charge!.place.name, 'Home');
  // Grid energy (17.237 kWh, the module's log) at 0.30 a kWh.
  assert.equal(charge!.cost, 5.17);
  assert.deepEqual(
    (assertJson(await api.withPassword('GET', '/api/places'), 200) as { name: string }[]).map((p) => p.name),
    ['Home'],
  );
  assertText(await api.withPassword('DELETE', `/api/places/${home.id}`), 200, 'Place removed');
  assertText(await api.withPassword('DELETE', `/api/places/${home.id}`), 404, 'No such place');

  assertText(
    await api.withPassword('GET', '/api/trips/DEMO1', { query: { from: 'yesterday' } }),
    400,
    'Bad request: from is not a time (ISO 8601 or epoch seconds)',
  );
  const bogus = await api.withPassword('GET', '/api/series/DEMO1', { query: { fields: 'soc,bogus' } });
  assert.equal(bogus.status, 400);
  assert.match(bogus.text, /^Bad request: unknown field "bogus"/);
  assert.equal((await api.withPassword('GET', '/api/trips/DEMO1/abc')).status, 400);
  assertText(await api.withPassword('GET', '/api/trips/DEMO1/12345'), 404, 'No such trip');
  const badPlace = await api.withPassword('PUT', '/api/places', {
    body: { name: 'X', lat: 95, lon: 0, radiusM: 10 },
  });
  assert.equal(badPlace.status, 400);
});

test("another owner's vehicle is refused, and a read-only token reads but cannot change places or settings", async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const other = await h.addOwner('mallory', 'mallory-password');
  await h.addVehicle('MAL1', 's2', other);
  const mallory = new Api(h, { username: 'mallory', password: 'mallory-password' });
  for (const path of ['/api/trips/DEMO1', '/api/charges/DEMO1', '/api/series/DEMO1', '/api/stats/DEMO1']) {
    assert.equal((await mallory.withPassword('GET', path)).status, 403, path);
  }
  assert.equal(
    (await mallory.withPassword('GET', '/api/export/DEMO1', { query: { what: 'trips' } })).status,
    403,
  );
  const token = await addApiToken(h, 'vehicle.read', 'read-only-token-0123456789');
  const reader = new Api(h, { username: 'owner', password: token });
  assert.equal((await reader.withPassword('GET', '/api/trips/DEMO1')).status, 200);
  assert.equal((await reader.withPassword('GET', '/api/places')).status, 200);
  const denied = await reader.withPassword('PUT', '/api/places', {
    body: { name: 'A', lat: 1, lon: 1, radiusM: 10 },
  });
  assert.equal(denied.status, 403);
  const settings = await reader.withPassword('PUT', '/api/recording/DEMO1', {
    body: { capacityKwh: 40, pricePerKwh: null },
  });
  assert.equal(settings.status, 403);
});

test('the simulated car drives and charges: a trip and a charge appear with plausible distance and kWh', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('SIM1', 's1');
  await driveAndCharge(h, 'SIM1', 's1');
  const api = new Api(h);
  const [trip] = (await api.withPassword('GET', '/api/trips/SIM1')).json as {
    distanceKm: number;
    energyKwh: number;
    whPerKm: number;
  }[];
  assert.ok(trip, 'a trip');
  assert.ok(trip.distanceKm > 1 && trip.distanceKm < 300, `distance ${trip.distanceKm} km`);
  assert.ok(trip.whPerKm > 50 && trip.whPerKm < 400, `${trip.whPerKm} Wh/km`);
  const [charge] = (await api.withPassword('GET', '/api/charges/SIM1')).json as {
    energyKwh: number;
    socFrom: number;
    socTo: number;
  }[];
  assert.ok(charge, 'a charge');
  assert.ok(charge.energyKwh > 1 && charge.energyKwh < 120, `${charge.energyKwh} kWh`);
  assert.ok(charge.socTo > charge.socFrom);
});

test('on upgrade the stored history is back-filled once: the trips and charges of the last day appear', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  // What history.log_messages kept of yesterday's messages (recno 0, one record per message), and
  // the module's grid log record.
  const yesterday = Math.floor(Date.now() / 86_400_000 - 1) * 86_400_000;
  const messages = [
    ...readFixture('drive.txt'),
    ...readFixture('charge.txt').map((m) => ({ ...m, at: m.at + 3 * 3_600_000 })),
  ];
  const shift = yesterday + 600_000 - messages[0]!.at;
  for (const m of messages) {
    const timestamp = new Date(m.at + shift);
    const expires = new Date(timestamp.getTime() + 86_400_000 * 2);
    if (m.code === 'H') {
      const [type, recno, , ...data] = m.payload.split(',');
      await h.store.addHistory(v, {
        type: type!,
        recno: Number(recno),
        timestamp,
        data: Buffer.from(data.join(',')),
        expires,
      });
    } else {
      await h.store.addHistory(v, {
        type: m.code,
        recno: 0,
        timestamp,
        data: Buffer.from(m.payload),
        expires,
      });
    }
  }
  await h.restart();
  await h.server.recording.backfilled;
  const api = new Api(h);
  const trips = (await api.withPassword('GET', '/api/trips/DEMO1')).json as {
    distanceKm: number;
    durationS: number;
  }[];
  assert.deepEqual(
    trips.map((trip) => [trip.distanceKm, Math.round(trip.durationS / 60)]),
    [[12, 20]],
  );
  const charges = (await api.withPassword('GET', '/api/charges/DEMO1')).json as { energyKwh: number }[];
  assert.deepEqual(
    charges.map((c) => c.energyKwh),
    [15.96],
  );
  assert.ok(h.logs.some((l) => l.includes('back-fill from stored history done')));
  // Once: the next start finds nothing to do.
  const lines = h.logs.length;
  await h.restart();
  await h.server.recording.backfilled;
  assert.ok(!h.logs.slice(lines).some((l) => l.includes('back-filling')));
  assert.equal(((await api.withPassword('GET', '/api/trips/DEMO1')).json as unknown[]).length, 1);
});

test('a car repeating each message ten times a second records the same trip as at its own pace', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const yesterday = Math.floor(Date.now() / 86_400_000 - 1) * 86_400_000;
  const shift = yesterday + 600_000 - readFixture('drive.txt')[0]!.at;
  const ref = { ownerId: h.owner.id, vehicleId: 'DEMO1' };
  // Only the newest message of a code in each second is applied; each repeat is held, then replaced by
  // the next one, and the last is applied at the flush: the derivation must come out the same.
  const messages = readFixture('drive.txt');
  for (const [i, m] of messages.entries()) {
    // Once the vehicle's stored state is read (at most 200 messages wait for it, as at a login burst).
    if (i === 1) await h.server.recording.flush();
    const repeats = m.code === 'H' ? 1 : 10;
    for (let k = 0; k < repeats; k++) {
      h.server.hub.carMessages.notify({
        ref,
        code: m.code,
        payload: Buffer.from(m.payload, 'latin1'),
        time: new Date(m.at + shift + k * 100),
      });
    }
  }
  await h.server.recording.flush();
  const api = new Api(h);
  const trips = assertJson(
    await api.withPassword('GET', '/api/trips/DEMO1'),
    200,
    Type.Array(TripRow),
  ) as Trip[];
  assert.equal(trips.length, 1);
  assert.deepEqual(
    {
      distanceKm: trips[0]!.distanceKm,
      energyKwh: trips[0]!.energyKwh,
      whPerKm: trips[0]!.whPerKm,
      socUsed: trips[0]!.socUsed,
    },
    { distanceKm: 12, energyKwh: 1.8, whPerKm: 150, socUsed: 5.1 },
  );
  const detail = assertJson(
    await api.withPassword('GET', `/api/trips/DEMO1/${trips[0]!.id}`),
    200,
    TripDetail,
  ) as {
    track: unknown[];
  };
  assert.ok(detail.track.length >= 19 && detail.track.length <= 22, `${detail.track.length} track points`);
});
