import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { hashPassword } from '../../src/auth/passwords.js';
import { nativeDumpCommand } from '../../src/cli/admin/native-dump.js';
import { OvmsClient } from '../../src/client/ovms-client.js';
import { openStore, sqlitePath } from '../../src/store/open-store.js';
import { keyFilePath } from '../../src/store/sqlite/key-file.js';
import { backupSqlite } from '../../src/store/sqlite/sqlite-backup.js';
import { runCli, startCli } from '../helpers/cli-process.js';

const KEY = 'ab'.repeat(32);

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-backup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Records each car writes: under the default history burst (history.rate_burst 1,000), so none is refused. */
const RECORDS_PER_CAR = 900;
const CARS = 12;

/**
 * Cars that keep the server writing `h` records, a few unacknowledged at a time: each writes
 * RECORDS_PER_CAR records, then the next car takes over (the history write rate is per vehicle, so
 * the writes go on for longer than one car may write at once). Each record is acked only once
 * committed, so `acked` is a lower bound of what the database holds.
 */
function historyWriter(cars: OvmsClient[], inFlight = 8) {
  const state = { sent: 0, acked: 0, stopped: false, sentPerCar: cars.map(() => 0) };
  const sendNext = () => {
    if (state.stopped || state.sent >= cars.length * RECORDS_PER_CAR) return;
    const index = Math.floor(state.sent / RECORDS_PER_CAR);
    const n = state.sentPerCar[index]!++;
    cars[index]!.send('h', `${n},0,T-BACKUP,${n},86400,record ${n}`);
    state.sent++;
  };
  for (const car of cars) {
    car.on('message', (m) => {
      if (m.code !== 'h') return;
      state.acked++;
      sendNext();
    });
  }
  for (let i = 0; i < inFlight; i++) sendNext();
  return state;
}

test('backup: a consistent, owner-only copy of the SQLite database while a running server writes; never over an existing file', async (t) => {
  const dir = tempDir(t);
  const db = `sqlite:${join(dir, 'ovms.db')}`;
  const env = { OVMS_SECRETS_KEY: KEY };
  const seed = await openStore(db, { secretsKey: KEY });
  await seed.migrate();
  const owner = await seed.createOwner({ name: 'alice', passwordHash: await hashPassword('alice-password') });
  const ids = Array.from({ length: CARS }, (_, i) => `BACKUP${i + 1}`);
  for (const vehicleId of ids)
    await seed.createVehicle({ ownerId: owner.id, vehicleId, secret: 'car-secret' });
  await seed.close();

  const server = await startCli(t, db, env);
  assert.ok(server.ports, `the server did not start: ${server.stderr}`);
  const ports = server.ports;
  const cars = ids.map(
    (vehicleId) =>
      new OvmsClient({ host: '127.0.0.1', port: ports.v2, clientType: 'C', vehicleId, secret: 'car-secret' }),
  );
  t.after(() => Promise.all(cars.map((c) => c.close())));
  await Promise.all(cars.map((c) => c.connect()));
  const car = cars[0]!;
  car.send('S', '80,K,220,0,charging,standard,250,220');
  const writer = historyWriter(cars);
  while (writer.acked < 100) await car.waitFor((m) => m.code === 'h');

  const file = join(dir, 'copy.db');
  const ackedBefore = writer.acked;
  const backup = await runCli(['backup', file, '--db', db], env);
  const sentAfter = writer.sent;
  writer.stopped = true;
  assert.equal(backup.code, 0, backup.stderr);
  const [written, reminder, ...rest] = backup.stdout.trim().split('\n');
  assert.match(
    written ?? '',
    new RegExp(
      `written to ${file}: \\d+ bytes, schema version \\d+, 1 owner, ${CARS} vehicles, SQLite quick_check ok$`,
    ),
  );
  assert.match(reminder ?? '', /keep the secrets\.key setting .* with this copy/);
  assert.deepEqual(rest, []);
  assert.equal(statSync(file).mode & 0o777, 0o600, 'the copy is for its owner only');
  assert.ok(writer.acked > ackedBefore, 'the server kept writing while the copy was taken');

  const raw = new Database(file, { readonly: true });
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  raw.close();
  const copy = await openStore(`sqlite:${file}`, { secretsKey: KEY });
  const schema = await copy.migrationStatus();
  assert.equal(schema.current, schema.latest);
  assert.deepEqual(
    (await copy.listOwners()).map((o) => o.name),
    ['alice'],
  );
  const vehicle = await copy.findVehicle('BACKUP1');
  assert.equal(vehicle?.secret, 'car-secret', 'the sealed secret opens with the key');
  assert.ok(vehicle);
  assert.ok((await copy.getMessages(vehicle)).some((m) => m.code === 'S'));
  // One committed state: each car's records commit in the order sent, so the copy holds exactly the
  // first n of each car's, cars before the one writing at the time of the copy complete, and at
  // least every record acked before the copy began.
  let total = 0;
  let partial = false;
  for (const vehicleId of ids) {
    const ref = await copy.findVehicle(vehicleId);
    assert.ok(ref);
    const recnos = (await copy.historyRecords(ref, 'T-BACKUP')).map((r) => r.recno).sort((a, b) => a - b);
    assert.deepEqual(
      recnos,
      recnos.map((_, i) => i),
      vehicleId,
    );
    assert.ok(!partial || recnos.length === 0, `${vehicleId} has records after a car that was not complete`);
    if (recnos.length < RECORDS_PER_CAR) partial = true;
    total += recnos.length;
  }
  assert.ok(
    total >= ackedBefore && total <= sentAfter,
    `${total} records, ${ackedBefore} acked before, ${sentAfter} sent`,
  );

  // While the copy is open its write-ahead log is there: even --force must not replace it.
  await assert.rejects(
    backupSqlite(sqlitePath(db), file, { force: true }),
    /copy\.db-wal exists: .* looks like a database in use; choose another file$/,
  );
  await copy.close();
  const again = await runCli(['backup', file, '--db', db], env);
  assert.deepEqual(
    [again.code, again.stderr],
    [1, `ovms-server: ${file} already exists; choose another file, or add --force to replace it\n`],
  );
  const forced = await backupSqlite(sqlitePath(db), file, { force: true });
  assert.equal(forced.path, file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('backup without secrets.key: the reminder names the key file beside the database', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'ovms.db');
  const store = await openStore(`sqlite:${path}`);
  await store.migrate();
  const owner = await store.createOwner({ name: 'bob', passwordHash: await hashPassword('bob-password') });
  await store.createVehicle({ ownerId: owner.id, vehicleId: 'KEYED1', secret: 'car-secret' });
  await store.close();
  const r = await runCli(['backup', join(dir, 'copy.db'), '--db', `sqlite:${path}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout.trim().split('\n')[1],
    `back up the key file ${keyFilePath(path)} too: it seals the vehicle secrets, and without it no car can log in after a restore`,
  );
});

test('backup of a PostgreSQL database: one line with the pg_dump command (no password), exit 1', async () => {
  const r = await runCli(['backup', 'ovms.dump', '--db', 'postgres://ovms:hunter2@db.internal:5433/ovms']);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    'ovms-server: backup copies SQLite databases only; back up this PostgreSQL database with its own tool: ' +
      'pg_dump --format=custom --host=db.internal --port=5433 --username=ovms --file=ovms.dump ovms ' +
      '(see docs/operations.md)\n',
  );
  assert.equal(r.stdout, '');
});

test('the dump command: MariaDB/MySQL (and Perl mode) asks for the password instead of showing it; a PostgreSQL schema', () => {
  assert.equal(
    nativeDumpCommand('mysql://root:s3cret@127.0.0.1:3306/ovms', 'my dump.sql'),
    "mariadb-dump --single-transaction --routines --host=127.0.0.1 --port=3306 --user=root --password ovms > 'my dump.sql'",
  );
  assert.equal(
    nativeDumpCommand('mariadb://ovms@db/o%27vms', 'x.sql'),
    "mariadb-dump --single-transaction --routines --host=db --user=ovms 'o'\\''vms' > x.sql",
  );
  assert.equal(
    nativeDumpCommand('postgresql://ovms@127.0.0.1/shared?schema=ovms', 'o.dump'),
    'pg_dump --format=custom --host=127.0.0.1 --username=ovms --schema=ovms --file=o.dump shared',
  );
  assert.equal(nativeDumpCommand('sqlite:./data/ovms.db', 'x'), undefined);
});
