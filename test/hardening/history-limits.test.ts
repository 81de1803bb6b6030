import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { HistoryLimits } from '../../src/server/history-limits.js';
import { createLogger } from '../../src/server/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { type Harness, RecordingNotifier, startServer } from '../helpers/harness.js';
import type { TestClient } from '../helpers/test-client.js';
import { Api } from '../http/api-client.js';

/**
 * A car (any account holder) could write history at line rate without bound: 3,000 records of
 * 40 KB in 1.8 s. Each vehicle now has a storage quota and a write rate for H and h. Over either, an
 * h is not acked (the module keeps it and sends it again later: an acked record is never lost) and
 * an H is dropped; every refusal is counted (/health, /api/admin/overview) and a streak of them is
 * logged and pushed to the owner once. These tests set the limit they are about low and say so.
 */

const record = (ack: number, type = 'RT-TEST') => `${ack},0,${type},${ack},86400,record ${ack}`;

/** The acks of `count` h records, in the order they came. */
async function acks(car: TestClient, count: number): Promise<string[]> {
  const got: string[] = [];
  while (got.length < count) got.push(await car.nextOf('h'));
  return got;
}

/** Every message the car gets before the answer to a ping sent once all writes are committed. */
async function untilPing(h: Harness, car: TestClient): Promise<string[]> {
  await h.store.flush();
  car.send('A');
  const got: string[] = [];
  for (let m = await car.next(); m !== 'a'; m = await car.next()) got.push(m);
  return got;
}

async function adminApi(h: Harness): Promise<Api> {
  await h.store.createOwner({
    name: 'root',
    passwordHash: (await h.store.getOwner(h.owner.id))!.passwordHash,
    admin: true,
  });
  return new Api(h, { username: 'root', password: 'owner-password' });
}

async function refusedCounts(h: Harness): Promise<{ health: number; node: number; vehicle: number }> {
  const api = await adminApi(h);
  const health = (await api.call('GET', '/health')).json as { history_refused: number };
  const overview = (await api.withPassword('GET', '/api/admin/overview')).json as {
    server: { history_refused: number };
    vehicles: { id: string; history_refused: number }[];
  };
  return {
    health: health.history_refused,
    node: overview.server.history_refused,
    vehicle: overview.vehicles.find((v) => v.id === 'DEMO1')!.history_refused,
  };
}

const refusalLines = (h: Harness) => h.logs.filter((l) => l.includes('history refused'));

test('over its history quota a car gets no ack for h, H is dropped, a message keeps no copy; one log line and alert', async (t) => {
  // The quota is the subject: 5 rows instead of 5,000,000.
  const h = await startServer(t, { settings: { 'history.quota_rows': 5 } });
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  for (const ack of [1, 2, 3, 4, 5]) car.send('h', record(ack));
  assert.deepEqual((await acks(car, 5)).sort(), ['h1', 'h2', 'h3', 'h4', 'h5']);

  car.send('h', record(6));
  const [alert] = await h.notifier.waitFor(1);
  assert.equal(alert?.vehicleId, 'DEMO1');
  assert.equal(alert?.type, 'A');
  assert.match(alert?.text ?? '', /History storage is full/);
  car.send('H', 'RT-TEST,7,86400,dropped');
  // A stored message is kept and relayed; only its history copy is left out.
  car.send('D', '1,2,3');
  assert.equal(await app.nextOf('D'), 'D1,2,3');
  assert.deepEqual(await untilPing(h, car), [], 'no ack for the refused h6');

  assert.deepEqual(
    (await h.store.historyRecords(v, 'RT-TEST')).map((r) => r.recno),
    [1, 2, 3, 4, 5],
  );
  assert.deepEqual(await h.store.historyRecords(v, 'D'), []);
  assert.equal((await h.store.getMessages(v)).find((m) => m.code === 'D')?.payload.toString(), '1,2,3');
  const lines = refusalLines(h);
  assert.equal(lines.length, 1, 'one log line for the streak');
  assert.match(lines[0]!, /"reason":"quota"/);
  assert.match(lines[0]!, /"vehicle":"DEMO1"/);
  assert.equal(h.notifier.alerts.length, 1, 'one alert for the streak');
  assert.deepEqual(await refusedCounts(h), { health: 3, node: 3, vehicle: 3 });
});

test('over its write rate a car gets no ack for h and H is dropped; one log line and alert', async (t) => {
  // The write rate is the subject: a burst of 3, then 1 a minute (nothing refills during the test).
  const h = await startServer(t, { settings: { 'history.rate_burst': 3, 'history.rate_per_minute': 1 } });
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  for (const ack of [1, 2, 3, 4, 5]) car.send('h', record(ack));
  car.send('H', 'RT-TEST,6,86400,dropped');
  const [alert] = await h.notifier.waitFor(1);
  assert.match(alert?.text ?? '', /faster than 1 a minute/);
  const answers = [...(await acks(car, 3)), ...(await untilPing(h, car))];
  assert.deepEqual(answers.sort(), ['h1', 'h2', 'h3']);
  assert.deepEqual(
    (await h.store.historyRecords(v, 'RT-TEST')).map((r) => r.recno),
    [1, 2, 3],
  );
  const lines = refusalLines(h);
  assert.equal(lines.length, 1, 'one log line for the streak');
  assert.match(lines[0]!, /"reason":"rate"/);
  assert.deepEqual(await refusedCounts(h), { health: 3, node: 3, vehicle: 3 });
});

test('the quota frees up when records expire; the rate refills; a new streak is reported after the interval', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-history-limits-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openSqliteStore({ path: join(dir, 'ovms.db') });
  t.after(() => store.close());
  await store.migrate();
  const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
  const vehicle = await store.createVehicle({ ownerId: owner.id, vehicleId: 'DEMO1', secret: 'secret-1' });
  const logs: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  const notifier = new RecordingNotifier();
  let now = Date.UTC(2024, 4, 1);
  const limits = new HistoryLimits(
    store,
    { quotaRows: 3, quotaBytes: 1000, ratePerMinute: 60, rateBurst: 2, refusalAlertInterval: 3_600_000 },
    log,
    notifier,
    () => now,
  );
  const key = 'k';
  let recno = 0;
  const add = async (bytes: number, expiresInS = 3600) => {
    const verdict = limits.admit(vehicle, key, bytes);
    if (!verdict) {
      await store.addHistory(vehicle, {
        type: 'T',
        recno: recno++,
        timestamp: new Date(now),
        data: Buffer.alloc(bytes),
        expires: new Date(now + expiresInS * 1000),
      });
    }
    return verdict;
  };
  // A read of the usage from SQLite is done within one turn of the event loop.
  const readDone = () => new Promise((resolve) => setImmediate(resolve));

  // The first record starts a read of the stored usage (quota 3: 1% of it is passed at once).
  assert.equal(await add(10, 1), undefined);
  await readDone();
  // Rate: a burst of 2, then one a second (60 a minute).
  assert.equal(await add(10, 1), undefined);
  assert.equal(await add(10), 'rate');
  now += 1000;
  assert.equal(await add(10), undefined);
  // Quota: 3 rows.
  now += 5000;
  assert.equal(await add(10), 'quota');
  // The two first records expire and are purged; the count is read again only 10 s after the last read.
  await store.purgeHistory(new Date(now), 100);
  assert.equal(await add(10), 'quota', 'the count is not read again at once');
  now += 10_000;
  assert.equal(await add(10), 'quota', 'refused while the count is read again');
  await readDone();
  // Bytes count too: 10 stored + 991 are over 1000.
  now += 1000;
  assert.equal(await add(991), 'quota');
  assert.equal(await add(10), undefined);
  assert.deepEqual(await store.historyUsage(vehicle), { rows: 2, bytes: 20 });
  assert.equal(limits.refused(key), 5);
  assert.equal(limits.refused(), 5);
  // Streaks: rate, then quota (each reported once).
  assert.equal(notifier.alerts.length, 2);
  assert.equal(logs.filter((l) => l.includes('history refused')).length, 2);
  // A new quota streak within the interval is not reported; after it, it is.
  assert.equal(await add(991), 'quota');
  assert.equal(notifier.alerts.length, 2);
  now += 3_600_000;
  assert.equal(await add(10), undefined);
  assert.equal(await add(991), 'quota');
  assert.equal(notifier.alerts.length, 3, 'a new streak after the interval is reported');
  const last = JSON.parse(logs.at(-1)!) as { refused: number; refusedTotal: number };
  assert.deepEqual([last.refused, last.refusedTotal], [5, 7], 'the line counts what was not reported yet');
});
