import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { authenticateOwner } from '../../src/auth/owner-login.js';
import { hashApiToken } from '../../src/auth/passwords.js';
import { openStore } from '../../src/store/open-store.js';
import { createMysqlDatabase, createPostgresDatabase } from '../helpers/databases.js';
import { createPerlDatabase, PERL_PASSWORDS, PERL_TOKEN } from '../helpers/perl-database.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ovms-server.ts', ...args], {
      cwd: ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The count table of an import's output, as rows of [table, in source, copied, skipped]. */
function counts(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => /^\w[\w -]+?\s{2,}\d+\s+\d+\s+\d+$/.test(line))
    .map((line) => line.split(/\s{2,}/));
}

const EXPECTED = [
  ['owners', '2', '2', '0'],
  ['vehicles', '3', '3', '0'],
  ['messages', '3', '3', '0'],
  ['history', '2', '2', '0'],
  ['utilisation days', '1', '1', '0'],
  ['push subscriptions', '1', '1', '0'],
  ['auto-provisioning', '1', '1', '0'],
  ['API tokens', '1', '1', '0'],
];

test('import copies a Perl server database into SQLite; a second run changes nothing', async (t) => {
  const perl = await createPerlDatabase();
  t.after(() => perl.drop());
  const dir = mkdtempSync(join(tmpdir(), 'ovms-import-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const to = `sqlite:${join(dir, 'ovms.db')}`;

  const first = await run(['import', '--from', perl.url, '--to', to]);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(counts(first.stdout), EXPECTED);
  assert.match(first.stderr, /history: 2\/2/, 'progress on stderr');

  const store = await openStore(to);
  t.after(() => store.close());
  const rowsBefore = await snapshot(store);
  const second = await run(['import', '--from', perl.url, '--to', to]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(counts(second.stdout), EXPECTED);
  assert.deepEqual(await snapshot(store), rowsBefore, 'no duplicates, nothing changed');

  // What an owner sees after the move.
  const twizy = await store.findVehicle('TWIZY1');
  assert.equal(twizy?.secret, 'car secret 1');
  const ref = { ownerId: twizy?.ownerId ?? 0, vehicleId: 'TWIZY1' };
  assert.deepEqual(
    (await store.getMessages(ref)).map((m) => m.code),
    ['F', 'S', 'L'],
  );
  assert.deepEqual(await store.getUtilisation(ref, 90), [
    { day: '2024-04-30', carRx: 1000, carTx: 2000, appRx: 300, appTx: 40 },
  ]);
  assert.equal((await store.findApiToken(hashApiToken(PERL_TOKEN)))?.ownerId, ref.ownerId);
  assert.equal((await store.getAutoProvision('VFTWIZY0001'))?.ownerId, ref.ownerId);

  const drupal = (await store.getOwnerByName('alice'))?.passwordHash;
  assert.match(drupal ?? '', /^\$S\$/, 'the Drupal hash is kept until the next login');
  assert.equal((await authenticateOwner(store, 'alice', PERL_PASSWORDS.alice))?.name, 'alice');
  assert.match((await store.getOwnerByName('alice'))?.passwordHash ?? '', /^scrypt\$/, 'upgraded at login');
  assert.match(
    (await store.getOwnerByName('bob'))?.passwordHash ?? '',
    /^scrypt\$/,
    'plain text never copied',
  );
  assert.equal((await authenticateOwner(store, 'bob', PERL_PASSWORDS.bob))?.name, 'bob');
});

test('import into PostgreSQL, with a vehicle id already taken there reported and skipped', async (t) => {
  const perl = await createPerlDatabase();
  t.after(() => perl.drop());
  const pg = await createPostgresDatabase();
  t.after(() => pg.drop());
  const store = await openStore(pg.url);
  t.after(() => store.close());
  await store.migrate();
  const zed = await store.createOwner({ name: 'zed', passwordHash: 'h' });
  await store.createVehicle({ ownerId: zed.id, vehicleId: 'LEAF2', secret: 's' });

  const result = await run(['import', '--from', perl.url, '--to', pg.url]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(counts(result.stdout)[1], ['vehicles', '3', '2', '1']);
  assert.match(result.stdout, /note: vehicle LEAF2 of alice skipped: the id already belongs to zed/);
  assert.equal((await store.findVehicle('TWIZY1'))?.ownerName, 'alice');
  assert.equal(
    (
      await store.historySummary({
        ownerId: (await store.findVehicle('TWIZY1'))!.ownerId,
        vehicleId: 'TWIZY1',
      })
    )[0]?.totalRecords,
    2,
  );
});

test('import refuses a database that is not a Perl server one', async (t) => {
  const other = await createMysqlDatabase();
  t.after(() => other.drop());
  const result = await run(['import', '--from', other.url, '--to', 'sqlite::memory:']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /is not a complete Perl-server database \(missing ovms_owners, ovms_cars\)/);
});

/** Every row count and owner/vehicle the target holds, to compare two runs. */
async function snapshot(store: Awaited<ReturnType<typeof openStore>>) {
  const vehicles = await store.listVehicles();
  const perVehicle = await Promise.all(
    vehicles.map(async (v) => ({
      id: v.vehicleId,
      messages: (await store.getMessages(v)).length,
      history: (await store.historySummary(v)).map((s) => s.totalRecords),
      utilisation: await store.getUtilisation(v, 90),
      push: (await store.listPushSubscriptions(v)).length,
    })),
  );
  const owners = await store.listOwners();
  return {
    owners: owners.map((o) => o.name),
    tokens: (await Promise.all(owners.map((o) => store.listApiTokens(o.id)))).flat().length,
    autoprovision: (await store.listAutoProvision()).length,
    perVehicle,
  };
}
