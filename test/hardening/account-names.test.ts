import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashPassword } from '../../src/auth/passwords.js';
import { openStore } from '../../src/store/open-store.js';
import { runCli, startCli } from '../helpers/cli-process.js';
import { mysqlAdmin } from '../helpers/databases.js';
import { startServer } from '../helpers/harness.js';
import { createPerlDatabase } from '../helpers/perl-database.js';
import { Api, assertText } from '../http/api-client.js';

/**
 * Owner names and vehicle ids become MQTT topic segments (`ovms/<owner>/<vehicle>/...`): names with
 * "/", "+" or "#" are refused at every entry point, and /mqapi/acl compares topic segments literally,
 * so no owner reaches another's topics. Rows stored before keep their logins and are warned about.
 */

const BAD_NAMES = ['a+b', '#', 'x/y'];

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-names-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('ovms-server owner add, vehicle add and vehicle import refuse names with "/", "+" or "#"', async (t) => {
  const dir = tempDir(t);
  const db = `sqlite:${join(dir, 'ovms.db')}`;
  for (const name of BAD_NAMES) {
    const r = await runCli(['owner', 'add', name, '--password', 'a-password', '--db', db]);
    assert.equal(r.code, 1, `owner ${name}`);
    assert.equal(
      r.stderr.trim(),
      `ovms-server: invalid owner name "${name}": owner names are 1-60 characters without spaces, ` +
        'control characters, ",", "/", "+" or "#"',
    );
  }
  assert.equal((await runCli(['owner', 'add', 'alice', '--password', 'a-password', '--db', db])).code, 0);
  for (const id of ['A+B', '#', 'X/Y']) {
    const r = await runCli(['vehicle', 'add', id, '--owner', 'alice', '--password', 'pw', '--db', db]);
    assert.equal(r.code, 1, `vehicle ${id}`);
    assert.match(
      r.stderr,
      new RegExp(`invalid vehicle id "${id.replace('+', '\\+')}": vehicle ids are 1-32`),
    );
  }
  const csv = join(dir, 'cars.csv');
  writeFileSync(csv, 'GOOD1,alice,pw1\nBAD+1,alice,pw2\n');
  const imported = await runCli(['vehicle', 'import', csv, '--db', db]);
  assert.equal(imported.code, 1);
  assert.match(imported.stderr, /nothing imported:\n.*row 2: invalid vehicle id "BAD\+1"/);
  const store = await openStore(db);
  t.after(() => store.close());
  assert.deepEqual(
    (await store.listOwners()).map((o) => o.name),
    ['alice'],
  );
  assert.deepEqual(await store.listVehicles(), []);
});

test('the dashboard add-vehicle API refuses ids with "/", "+" or "#"', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  for (const vehicleid of ['A+B', '#', 'X/Y']) {
    const res = await api.withPassword('POST', '/api/vehicles', { body: { vehicleid, secret: 'pw' } });
    assert.equal(res.status, 400, vehicleid);
    assert.match(res.text, /^Bad request: invalid vehicle id ".*": vehicle ids are 1-32 letters, digits/);
  }
  assert.deepEqual(await h.store.listVehicles(), []);
});

test('/mqapi/acl compares topic segments literally: no wildcard in a name or topic reaches another owner', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  // Rows as an older version (or a hand-made SQL insert) could have stored them.
  for (const name of ['+', '#', 'x/y', 'x']) {
    await h.store.createOwner({ name, passwordHash: await hashPassword('owner-password') });
  }
  const acl = async (username: string, topic: string) =>
    (await api.call('POST', '/mqapi/acl', { form: { username, topic, acc: '4' } })).status;
  assert.equal(await acl('owner', 'ovms/owner/CAR/metric/#'), 200);
  assert.equal(await acl('owner', 'ovms/owner/+/metric/v/b/soc'), 200, 'wildcards inside your own topics');
  assert.equal(await acl('owner', 'ovms/+/CAR/metric/#'), 403, 'a wildcard for the owner segment');
  assert.equal(await acl('owner', 'ovms/#'), 403);
  assert.equal(await acl('+', 'ovms/+/CAR/metric/#'), 403, 'the owner named "+" subscribing to everyone');
  assert.equal(await acl('#', 'ovms/#/x'), 403);
  assert.equal(await acl('x/y', 'ovms/x/y/metric'), 403, 'owner "x/y" does not get owner x\'s vehicle y');
  assert.equal(await acl('x', 'ovms/x/y/metric'), 200);
  assert.equal(await acl('a+b', 'ovms/a+b/CAR/metric'), 403);
  // Their logins keep working elsewhere; MQTT refuses them at once.
  const mqttAuth = (username: string) =>
    api.call('POST', '/mqapi/auth', { form: { username, password: 'owner-password' } });
  assertText(await mqttAuth('+'), 403, '');
  assertText(await mqttAuth('x'), 200, '');
  const plus = new Api(h, { username: '+', password: 'owner-password' });
  assert.equal(
    (await plus.withPassword('GET', '/api/vehicles')).status,
    200,
    'HTTP login of an old "+" owner',
  );
});

test('start warns once about stored owner names MQTT cannot carry; their logins keep working', async (t) => {
  const dir = tempDir(t);
  const db = `sqlite:${join(dir, 'ovms.db')}`;
  const store = await openStore(db);
  await store.migrate();
  for (const name of ['a+b', 'x/y', 'fine']) {
    await store.createOwner({ name, passwordHash: await hashPassword('old-password') });
  }
  await store.close();
  const server = await startCli(t, db);
  assert.ok(server.ports, `the server starts: ${server.stderr}`);
  const warnings = server.lines.filter((l) => l.msg.startsWith('owner names holding "/", "+", "#"'));
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.owners, 'a+b, x/y');
  const query = new URLSearchParams({ username: 'a+b', password: 'old-password' });
  const res = await fetch(`http://127.0.0.1:${server.ports.http}/api/vehicles?${query}`);
  assert.equal(res.status, 200, 'the old owner still logs in over HTTP');
});

test('import skips Perl owners and vehicles whose names MQTT cannot carry, and says so', async (t) => {
  const perl = await createPerlDatabase();
  t.after(() => perl.drop());
  await mysqlAdmin(async (conn) => {
    await conn.query(`USE ${perl.name}`);
    await conn.query(`INSERT INTO ovms_owners (owner, name, mail, pass, status, deleted, changed) VALUES
      (20, 'a+b', '', 'pw-a', 1, 0, '2023-02-01 00:00:00'),
      (21, '#', '', 'pw-b', 1, 0, '2023-02-01 00:00:00'),
      (22, 'x/y', '', 'pw-c', 1, 0, '2023-02-01 00:00:00'),
      (23, 'Jane Doe', '', 'pw-d', 1, 0, '2023-02-01 00:00:00')`);
    await conn.query(`INSERT INTO ovms_cars (vehicleid, vehiclename, owner, carpass, v_type, deleted, changed) VALUES
      ('PLUSCAR', '', 20, 's1', 'CAR', 0, '2023-02-02 00:00:00'),
      ('CAR+1', '', 7, 's2', 'CAR', 0, '2023-02-02 00:00:00'),
      ('JANE1', '', 23, 's3', 'CAR', 0, '2023-02-02 00:00:00')`);
  });
  const dir = tempDir(t);
  const to = `sqlite:${join(dir, 'ovms.db')}`;
  const result = await runCli(['import', '--from', perl.url, '--to', to]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^owners\s+6\s+3\s+3$/m);
  assert.match(result.stdout, /^vehicles\s+6\s+4\s+2$/m);
  for (const name of BAD_NAMES) {
    assert.ok(
      result.stdout.includes(
        `note: owner "${name}" skipped with their vehicles and API tokens: the name holds`,
      ),
      `a note for ${name}`,
    );
  }
  assert.match(result.stdout, /note: vehicle PLUSCAR skipped: its owner was skipped/);
  assert.match(result.stdout, /note: vehicle "CAR\+1" of alice skipped: the id holds/);
  const store = await openStore(to);
  t.after(() => store.close());
  assert.deepEqual((await store.listOwners()).map((o) => o.name).sort(), ['Jane Doe', 'alice', 'bob']);
  assert.equal(
    (await store.findVehicle('JANE1'))?.ownerName,
    'Jane Doe',
    'a Drupal name with a space is kept',
  );
  assert.equal(await store.findVehicle('PLUSCAR'), undefined);
});
