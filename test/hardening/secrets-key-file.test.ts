import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { OvmsClient } from '../../src/client/ovms-client.js';
import { openStore } from '../../src/store/open-store.js';
import { plainSecretBox } from '../../src/store/secret-box.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { runCli, startCli } from '../helpers/cli-process.js';
import { createPostgresDatabase } from '../helpers/databases.js';

/**
 * Vehicle secrets at rest with the embedded database and no secrets.key: `ovms-server start` makes
 * a key file beside the database (0600), the data folder and database file are owner-only, plain
 * secrets from before are sealed on start, and a database whose key file is lost is refused.
 */

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-keyfile-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function rawSecrets(path: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT secret FROM vehicles ORDER BY vehicle_id').all() as { secret: string }[]).map(
      (r) => r.secret,
    );
  } finally {
    db.close();
  }
}

async function carLogsIn(port: number, vehicleId: string, secret: string): Promise<void> {
  const car = new OvmsClient({ host: '127.0.0.1', port, clientType: 'C', vehicleId, secret });
  try {
    const z = new Promise((resolve) => car.once('message', (m) => resolve(m.code + m.text)));
    await car.connect();
    assert.equal(await z, 'Z0', `${vehicleId} logs in`);
  } finally {
    await car.close();
  }
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test('first start on a fresh SQLite path: owner-only folder, database and key file; secrets sealed; logins work', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'data', 'ovms.db');
  const db = `sqlite:${dbPath}`;
  const server = await startCli(t, db);
  assert.ok(server.ports?.v2, `the server starts: ${server.stderr}`);
  const keyFile = `${dbPath}.key`;
  assert.equal(mode(join(dir, 'data')), '700', 'the data folder');
  assert.equal(mode(dbPath), '600', 'the database file');
  assert.equal(mode(keyFile), '600', 'the key file');
  assert.match(readFileSync(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
  const notice = server.lines.find((l) => l.msg.startsWith('a key for the vehicle secrets was made'));
  assert.equal(notice?.level, 40, 'a warning says a key was made');
  assert.match(
    notice?.msg ?? '',
    new RegExp(`${keyFile.replace(/[.]/g, '\\.')}.*Back it up with the database`),
  );
  assert.ok(
    !JSON.stringify(server.lines).includes(readFileSync(keyFile, 'utf8').trim()),
    'the key is never logged',
  );

  assert.equal((await runCli(['owner', 'add', 'kim', '--password', 'kim-password', '--db', db])).code, 0);
  const added = await runCli([
    'vehicle',
    'add',
    'SEAL1',
    '--owner',
    'kim',
    '--password',
    'seal-secret-1',
    '--db',
    db,
  ]);
  assert.equal(added.code, 0, added.stderr);
  assert.equal(added.stderr, '', 'the admin command uses the key file the server made, no new notice');
  const [stored] = rawSecrets(dbPath);
  assert.match(stored ?? '', /^enc:v1:/, 'sealed in the database');
  assert.ok(!readFileSync(dbPath).includes('seal-secret-1'), 'the plain secret is nowhere in the file');
  await carLogsIn(server.ports?.v2 ?? 0, 'SEAL1', 'seal-secret-1');
  assert.match(
    (await runCli(['db', 'status', '--db', db])).stdout,
    /vehicle secrets: sealed with the key file .*ovms\.db\.key/,
  );
});

test('plain secrets of an existing database are sealed on start, and logins keep working', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'ovms.db');
  // A database as the server made it before key files: secrets stored as given.
  const before = await openSqliteStore({ path: dbPath, secretBox: plainSecretBox });
  await before.migrate();
  const owner = await before.createOwner({ name: 'old', passwordHash: 'h' });
  await before.createVehicle({ ownerId: owner.id, vehicleId: 'OLD1', secret: 'old-plain-1' });
  await before.createVehicle({ ownerId: owner.id, vehicleId: 'OLD2', secret: 'old-plain-2' });
  await before.close();
  assert.deepEqual(rawSecrets(dbPath), ['old-plain-1', 'old-plain-2']);

  const server = await startCli(t, `sqlite:${dbPath}`);
  assert.ok(server.ports?.v2, `the server starts: ${server.stderr}`);
  const sealed = server.lines.find((l) => l.msg === 'vehicle secrets stored in plain text are sealed now');
  assert.equal(sealed?.count, 2);
  for (const secret of rawSecrets(dbPath)) assert.match(secret, /^enc:v1:/);
  assert.equal(mode(`${dbPath}.key`), '600');
  await carLogsIn(server.ports?.v2 ?? 0, 'OLD1', 'old-plain-1');
  await carLogsIn(server.ports?.v2 ?? 0, 'OLD2', 'old-plain-2');
});

test('sealed secrets without their key file: start refuses in one line and makes no new key', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'ovms.db');
  const db = `sqlite:${dbPath}`;
  const store = await openStore(db);
  await store.migrate();
  const owner = await store.createOwner({ name: 'lost', passwordHash: 'h' });
  await store.createVehicle({ ownerId: owner.id, vehicleId: 'LOST1', secret: 'lost-secret' });
  await store.close();
  rmSync(`${dbPath}.key`);

  const refused = await startCli(t, db);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /holds encrypted vehicle secrets but their key file .*ovms\.db\.key is missing: restore it/,
  );
  assert.ok(!existsSync(`${dbPath}.key`), 'no new key was made');
  const admin = await runCli(['vehicle', 'list', '--db', db]);
  assert.equal(admin.code, 1, 'the admin commands refuse too');
  assert.match(admin.stderr, /key file .* is missing/);
});

test('with secrets.key configured no key file is made; a wrong key is refused at start', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'ovms.db');
  const db = `sqlite:${dbPath}`;
  const key = { OVMS_SECRETS_KEY: 'a'.repeat(64) };
  assert.equal(
    (await runCli(['owner', 'add', 'cfg', '--password', 'cfg-password', '--db', db], key)).code,
    0,
  );
  assert.equal(
    (await runCli(['vehicle', 'add', 'CFG1', '--owner', 'cfg', '--password', 'cfg-secret', '--db', db], key))
      .code,
    0,
  );
  assert.ok(!existsSync(`${dbPath}.key`));
  assert.match(rawSecrets(dbPath)[0] ?? '', /^enc:v1:/);

  const wrong = await startCli(t, db, { OVMS_SECRETS_KEY: 'b'.repeat(64) });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /none of the 1 sealed vehicle secrets opens with this key \(CFG1\)/);
});

test('PostgreSQL without secrets.key: no key file, and one warning that secrets are stored in plain text', async (t) => {
  const pg = await createPostgresDatabase();
  t.after(() => pg.drop());
  const server = await startCli(t, pg.url);
  assert.ok(server.ports?.v2, `the server starts: ${server.stderr}`);
  const warnings = server.lines.filter((l) => l.msg.startsWith('vehicle secrets are stored in plain text'));
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.level, 40);
});
