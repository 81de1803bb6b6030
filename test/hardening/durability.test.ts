import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import { OvmsClient, type ReceivedMessage } from '../../src/client/ovms-client.js';
import { openStore } from '../../src/store/open-store.js';
import { freePort, killHard, spawnServer } from './server-process.js';

const CARS = 100;
/** Records each car keeps waiting for their ack, as a car with a backlog does. */
const WINDOW = 10;
/** The kill comes once this many records were acked in all. */
const KILL_AFTER = 4000;

/**
 * `h` is acked only once its record is committed: kill -9 the server while 100 cars stream
 * records, restart it on the same database, and every acked record must be there.
 */
test('every acked h record survives kill -9 of the server', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-durability-'));
  const dbUrl = `sqlite:${join(dir, 'ovms.db')}`;
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const seed = await openStore(dbUrl);
  await seed.migrate();
  const owner = await seed.createOwner({ name: 'dur', passwordHash: await hashPassword('dur-password') });
  await seed.createVehicles(
    Array.from({ length: CARS }, (_, i) => ({
      ownerId: owner.id,
      vehicleId: `DUR${i}`,
      secret: `dur-secret-${i}`,
    })),
  );
  await seed.close();

  const port = await freePort();
  let server = await spawnServer(dbUrl, port);
  t.after(() => killHard(server));
  const acked: Set<number>[] = Array.from({ length: CARS }, () => new Set());
  let total = 0;
  let killed: Promise<void> | undefined;
  const cars: OvmsClient[] = [];
  for (let i = 0; i < CARS; i++) {
    const car = new OvmsClient({
      host: '127.0.0.1',
      port,
      clientType: 'C',
      vehicleId: `DUR${i}`,
      secret: `dur-secret-${i}`,
      loginTimeoutMs: 20_000,
    });
    car.on('error', () => {});
    await car.connect();
    cars.push(car);
  }
  const gone = Promise.all(cars.map((car) => new Promise((r) => car.once('disconnect', r))));
  cars.forEach((car, i) => {
    let next = 0;
    const send = () => car.send('h', `${next},0,*-DUR-Log,${next},86400,car ${i} record ${next++}`);
    car.on('message', (m: ReceivedMessage) => {
      if (m.code !== 'h') return;
      acked[i]!.add(Number(m.text));
      if (++total >= KILL_AFTER) killed ??= killHard(server);
      else send();
    });
    for (let n = 0; n < WINDOW; n++) send();
  });
  await gone;
  await killed;
  // Records sent but not acked may or may not be stored; acked ones must all be.
  server = await spawnServer(dbUrl, port);
  const store = await openStore(dbUrl);
  t.after(() => store.close());
  let missing = 0;
  for (let i = 0; i < CARS; i++) {
    const rows = await store.historyRecords({ ownerId: owner.id, vehicleId: `DUR${i}` }, '*-DUR-Log');
    const stored = new Set(rows.map((r) => r.recno));
    for (const n of acked[i]!) if (!stored.has(n)) missing++;
  }
  assert.ok(total >= KILL_AFTER, `only ${total} acks before the kill`);
  assert.equal(missing, 0, `${missing} of ${total} acked records are missing after the restart`);
  await Promise.all(cars.map((c) => c.close()));
});
