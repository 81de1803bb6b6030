import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isDrupalHash } from '../../src/auth/drupal-hash.js';
import { authenticateOwner, hashOwnerPassword } from '../../src/auth/owner-login.js';
import { hashApiToken } from '../../src/auth/passwords.js';
import { openStore } from '../../src/store/open-store.js';
import type { SqlStore } from '../../src/store/sql/sql-store.js';
import { mysqlAdmin, type TestDatabase } from '../helpers/databases.js';
import { createPerlDatabase, PERL_PASSWORDS, PERL_TOKEN } from '../helpers/perl-database.js';
import { freshStoreFrom } from './conformance/fixtures.js';
import { historyPagingTests } from './conformance/history.js';

type Context = { after(fn: () => unknown): void };

async function perlStore(t: Context, options: { rows?: boolean } = {}) {
  const database = await createPerlDatabase(options);
  t.after(() => database.drop());
  const store = (await openStore(database.url)) as SqlStore;
  t.after(() => store.close());
  await store.migrate();
  return { database, store };
}

/** Reads the database as the Perl server would, bypassing the store. */
async function raw<T>(database: TestDatabase, sql: string, params: unknown[] = []): Promise<T[]> {
  return mysqlAdmin(async (c) => {
    const [rows] = await c.query(sql, params);
    return rows as T[];
  }, database.url);
}

const ALICE = 7;
const twizy = { ownerId: ALICE, vehicleId: 'TWIZY1' };

describe('Perl mode: running on a Perl server database as it is', () => {
  test('the schema is detected and left alone; an incomplete one is refused by name', async (t) => {
    const { database, store } = await perlStore(t);
    assert.equal(store.kind, 'perl-mysql');
    assert.deepEqual(await store.migrate(), { current: 0, latest: 0, applied: [] });
    const tables = await raw<{ n: number }>(
      database,
      'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE()',
    );
    assert.equal(Number(tables[0]?.n), 7, 'no table of ours was added');

    await raw(database, 'DROP TABLE ovms_apitokens');
    await raw(database, 'ALTER TABLE ovms_cars DROP COLUMN v_ptoken');
    await assert.rejects(store.migrate(), /lacks ovms_cars\.v_ptoken, ovms_apitokens/);
  });

  test('only active owners and live cars are seen; secrets are the plain carpass', async (t) => {
    const { store } = await perlStore(t);
    assert.deepEqual(
      (await store.listOwners()).map((o) => [o.id, o.name, o.mail]),
      [
        [7, 'alice', 'alice@example.org'],
        [9, 'bob', 'bob@example.org'],
      ],
    );
    assert.equal(await store.getOwnerByName('blocked'), undefined);
    assert.equal(await store.getOwner(12), undefined);
    assert.deepEqual(
      (await store.listVehicles()).map((v) => `${v.ownerName}/${v.vehicleId}`),
      ['bob/BOBCAR', 'alice/LEAF2', 'alice/TWIZY1'],
    );
    const car = await store.findVehicle('twizy1');
    assert.equal(car?.secret, 'car secret 1');
    assert.equal(car?.name, 'Twizy');
    assert.deepEqual(car?.lastUpdate, new Date('2024-05-01T11:59:00Z'));
    assert.equal((await store.findVehicle('LEAF2'))?.lastUpdate, undefined, 'zero date = never');
    assert.equal((await store.findVehicle('LEAF2'))?.ptoken, 'ptokA');
    for (const hidden of ['OLDCAR', 'PEER', 'BLOCKEDCAR'])
      assert.equal(await store.findVehicle(hidden), undefined);
  });

  test('Drupal and plain-text passwords log in and are kept in their format', async (t) => {
    const { database, store } = await perlStore(t);
    assert.equal((await authenticateOwner(store, 'alice', PERL_PASSWORDS.alice))?.id, ALICE);
    assert.equal(await authenticateOwner(store, 'alice', 'wrong'), undefined);
    assert.equal((await authenticateOwner(store, 'bob', PERL_PASSWORDS.bob))?.id, 9);
    const [alice, bob] = await raw<{ pass: string }>(
      database,
      'SELECT pass FROM ovms_owners WHERE owner IN (7, 9) ORDER BY owner',
    );
    assert.equal(isDrupalHash(alice?.pass ?? ''), true, 'not upgraded: the Perl server must still read it');
    assert.equal(bob?.pass, PERL_PASSWORDS.bob);

    await store.setOwnerPassword(ALICE, await hashOwnerPassword(store, 'new password'));
    const [changed] = await raw<{ pass: string }>(database, 'SELECT pass FROM ovms_owners WHERE owner = 7');
    assert.equal(isDrupalHash(changed?.pass ?? ''), true);
    assert.equal((await authenticateOwner(store, 'alice', 'new password'))?.id, ALICE);
  });

  test('stored messages replay in order; new ones are written as the reference writes them', async (t) => {
    const { database, store } = await perlStore(t);
    assert.deepEqual(
      (await store.getMessages(twizy)).map((m) => `${m.code}:${m.payload}`),
      ['F:3.3.005,VIN123,22,0,RT', 'S:80.5,K,230,16.00,charging', 'L:51.5,-0.11,270'],
    );
    const time = new Date('2024-06-01T08:30:45.700Z');
    const long = 'x'.repeat(300);
    await store.saveMessage(twizy, {
      code: 'S',
      payload: Buffer.from('81,K'),
      time,
      paranoid: false,
      ptoken: '',
    });
    await store.saveMessage(twizy, {
      code: 'W',
      payload: Buffer.from(long),
      time,
      paranoid: true,
      ptoken: 'tok1',
    });
    await store.flush();
    const rows = await raw<Record<string, unknown>>(
      database,
      `SELECT m_code, m_valid, DATE_FORMAT(m_msgtime, '%Y-%m-%d %H:%i:%s') AS t, m_paranoid, m_ptoken, m_msg
       FROM ovms_carmessages WHERE owner = 7 AND vehicleid = 'TWIZY1' AND m_code IN ('S', 'W') ORDER BY m_code`,
    );
    assert.deepEqual(rows, [
      { m_code: 'S', m_valid: 1, t: '2024-06-01 08:30:45', m_paranoid: 0, m_ptoken: '', m_msg: '81,K' },
      {
        m_code: 'W',
        m_valid: 1,
        t: '2024-06-01 08:30:45',
        m_paranoid: 1,
        m_ptoken: 'tok1',
        m_msg: 'x'.repeat(255),
      },
    ]);
    const [car] = await raw<{ t: string }>(
      database,
      "SELECT DATE_FORMAT(v_lastupdate, '%Y-%m-%d %H:%i:%s') AS t FROM ovms_cars WHERE vehicleid = 'TWIZY1'",
    );
    assert.equal(car?.t, '2024-06-01 08:30:45');

    await store.setParanoidToken(twizy, 'tok2');
    assert.equal(
      (await store.getMessages(twizy)).find((m) => m.code === 'W'),
      undefined,
    );
    const [w] = await raw<{ m_valid: number }>(
      database,
      "SELECT m_valid FROM ovms_carmessages WHERE m_code = 'W'",
    );
    assert.equal(w?.m_valid, 0);
  });

  test('history is read, written and purged in the reference format', async (t) => {
    const { database, store } = await perlStore(t);
    const summary = await store.historySummary(twizy);
    assert.deepEqual(
      summary.map((s) => [s.type, s.distinctRecnos, s.totalRecords]),
      [
        ['*-OVM-Utilisation', 4, 4],
        ['RT-BAT-P', 1, 1],
        ['RT-GPS-Log', 2, 2],
      ],
    );
    assert.equal(summary[2]?.approxBytes, 2 * (10 + 6 + 20) + 10 + 10);
    assert.deepEqual(
      (await store.historyRecords(twizy, 'RT-GPS-Log', new Date('2024-05-01T10:00:00Z'))).map((r) =>
        r.data.toString(),
      ),
      ['51.6,-0.12'],
    );
    await store.addHistory(twizy, {
      type: 'RT-GPS-Log',
      recno: 2,
      timestamp: new Date('2024-05-01T10:00:20.900Z'),
      data: Buffer.from('51.7,-0.13'),
      expires: new Date('2099-01-01T00:00:00Z'),
    });
    const [row] = await raw<Record<string, unknown>>(
      database,
      `SELECT DATE_FORMAT(h_timestamp, '%Y-%m-%d %H:%i:%s') AS ts, h_data, DATE_FORMAT(h_expires, '%Y-%m-%d') AS exp
       FROM ovms_historicalmessages WHERE h_recordnumber = 2 AND h_recordtype = 'RT-GPS-Log'`,
    );
    assert.deepEqual(row, { ts: '2024-05-01 10:00:20', h_data: '51.7,-0.13', exp: '2099-01-01' });

    // The RT-BAT-P record and the four utilisation records have expired.
    assert.equal(await store.purgeHistory(new Date('2025-01-01T00:00:00Z'), 3), 3);
    assert.equal(await store.purgeHistory(new Date('2025-01-01T00:00:00Z'), 3), 2);
    assert.equal(await store.purgeHistory(new Date('2025-01-01T00:00:00Z'), 3), 0);
  });

  test('utilisation lives in history as *-OVM-Utilisation records 0..3 and is added to', async (t) => {
    const { database, store } = await perlStore(t);
    assert.deepEqual(await store.getUtilisation(twizy, 90), [
      { day: '2024-04-30', carRx: 1000, carTx: 2000, appRx: 300, appTx: 40 },
    ]);
    await store.addUtilisation(twizy, '2024-04-30', { carRx: 1, carTx: 2, appRx: 3, appTx: 4 });
    await store.addUtilisation(twizy, '2024-05-01', { carRx: 10, carTx: 20, appRx: 30, appTx: 40 });
    assert.deepEqual(await store.getUtilisation(twizy, 90), [
      { day: '2024-05-01', carRx: 10, carTx: 20, appRx: 30, appTx: 40 },
      { day: '2024-04-30', carRx: 1001, carTx: 2002, appRx: 303, appTx: 44 },
    ]);
    assert.equal((await store.getUtilisation(twizy, 1)).length, 1);
    const rows = await raw<{ h_data: string }>(
      database,
      "SELECT h_data FROM ovms_historicalmessages WHERE h_recordtype = '*-OVM-Utilisation' AND h_timestamp = '2024-05-01' ORDER BY h_recordnumber",
    );
    assert.deepEqual(
      rows.map((r) => r.h_data),
      ['10', '20', '30', '40'],
    );
    assert.equal(await store.purgeUtilisation('2024-05-01'), 4);
    assert.equal((await store.getUtilisation(twizy, 90))[0]?.day, '2024-05-01');
  });

  test('API tokens stay plain text in the table and are found by their SHA-256', async (t) => {
    const { database, store } = await perlStore(t);
    const found = await store.findApiToken(hashApiToken(PERL_TOKEN));
    assert.equal(found?.ownerId, ALICE);
    assert.equal(found?.permit, 'auth,v2');
    assert.equal(found?.lastUsed, undefined, 'lastused = created means never used');
    await store.touchApiToken(hashApiToken(PERL_TOKEN), new Date('2024-06-01T00:00:00Z'));
    assert.deepEqual(
      (await store.findApiToken(hashApiToken(PERL_TOKEN)))?.lastUsed,
      new Date('2024-06-01T00:00:00Z'),
    );

    const token = 'a1'.repeat(32);
    await assert.rejects(
      store.createApiToken({
        ownerId: ALICE,
        tokenHash: hashApiToken(token),
        application: 'a',
        purpose: 'p',
        permit: '*',
      }),
      /plain text/,
    );
    await store.createApiToken({
      ownerId: ALICE,
      tokenHash: hashApiToken(token),
      token,
      application: 'a',
      purpose: 'p',
      permit: '*',
    });
    const stored = await raw<{ token: string }>(
      database,
      'SELECT token FROM ovms_apitokens WHERE owner = 7 ORDER BY created',
    );
    assert.deepEqual(stored.map((r) => r.token).sort(), [token, PERL_TOKEN].sort());
    assert.equal((await store.listApiTokens(ALICE)).length, 2);
    assert.equal(await store.deleteApiToken(ALICE, hashApiToken(token)), true);
    assert.equal(await store.findApiToken(hashApiToken(token)), undefined);
  });

  test('push subscriptions and auto-provisioning records of the reference are used', async (t) => {
    const { store } = await perlStore(t);
    assert.deepEqual(
      (await store.listPushSubscriptions(twizy)).map((s) => [s.appId, s.pushType, s.pushKeyValue]),
      [['phone-1', 'gcm', 'fcm-token']],
    );
    await store.upsertPushSubscription({
      ...twizy,
      appId: 'phone-1',
      pushType: 'gcm',
      pushKeyType: 'production',
      pushKeyValue: 'new',
    });
    assert.equal((await store.listPushSubscriptions(twizy))[0]?.pushKeyValue, 'new');

    const record = await store.getAutoProvision('VFTWIZY0001');
    assert.deepEqual(record, {
      apKey: 'VFTWIZY0001',
      token: 'tok22charsxxxxxxxxxxxx',
      digest: 'digestdigestdigest==',
      record: 'ENCRYPTEDPARAMS',
      ownerId: ALICE,
      lastUsed: undefined,
    });
    assert.equal(await store.getAutoProvision('VFDELETED01'), undefined);
    await store.markAutoProvisionUsed('VFTWIZY0001', new Date('2024-06-01T00:00:00Z'));
    assert.deepEqual(
      (await store.getAutoProvision('VFTWIZY0001'))?.lastUsed,
      new Date('2024-06-01T00:00:00Z'),
    );
  });

  test('owners and vehicles created here are rows the Perl server reads', async (t) => {
    const { database, store } = await perlStore(t);
    const carol = await store.createOwner({
      name: 'carol',
      passwordHash: await hashOwnerPassword(store, 'pw'),
    });
    assert.equal(carol.id, 13, 'the next id after the highest uid');
    await assert.rejects(store.createOwner({ name: 'alice', passwordHash: 'x' }), /already exists/);
    await store.createVehicle({
      ownerId: carol.id,
      vehicleId: 'new1',
      secret: 'module secret',
      name: 'Ampera',
    });
    await assert.rejects(
      store.createVehicle({ ownerId: carol.id, vehicleId: 'TWIZY1', secret: 's' }),
      /already registered/,
    );
    await assert.rejects(
      store.createVehicle({ ownerId: 11, vehicleId: 'X1', secret: 's' }),
      /owner 11 does not exist/,
    );
    const [row] = await raw<Record<string, unknown>>(
      database,
      "SELECT o.status, o.deleted, c.carpass, c.vehiclename, c.v_type, c.deleted AS car_deleted FROM ovms_owners o JOIN ovms_cars c ON c.owner = o.owner WHERE c.vehicleid = 'NEW1'",
    );
    assert.deepEqual(row, {
      status: 1,
      deleted: 0,
      carpass: 'module secret',
      vehiclename: 'Ampera',
      v_type: 'CAR',
      car_deleted: 0,
    });

    assert.equal(await store.deleteVehicle(twizy), true);
    for (const table of ['ovms_cars', 'ovms_carmessages', 'ovms_historicalmessages', 'ovms_notifies']) {
      const left = await raw(database, `SELECT 1 FROM ${table} WHERE vehicleid = 'TWIZY1'`);
      assert.deepEqual(left, [], table);
    }
  });

  test('ABRP links are not kept: none are found, and storing one is refused with the reason', async (t) => {
    const { store } = await perlStore(t);
    assert.deepEqual(await store.listAbrpLinks(), []);
    assert.equal(await store.getAbrpLink(twizy), undefined);
    await assert.rejects(store.setAbrpToken(twizy, 'tok'), (err: Error) => {
      assert.equal(err.name, 'StoreUnsupportedError');
      assert.match(err.message, /not available in Perl mode/);
      return true;
    });
  });
});

// The history pages of the conformance suite, on an empty Perl server database.
describe('Perl mode: history pages', () => {
  historyPagingTests(
    freshStoreFrom(async () => {
      const database = await createPerlDatabase({ rows: false });
      const store = await openStore(database.url);
      return {
        store,
        async cleanup() {
          await store.close();
          await database.drop();
        },
      };
    }),
  );
});
