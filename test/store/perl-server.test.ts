import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mysqlAdmin } from '../helpers/databases.js';
import { startServer } from '../helpers/harness.js';
import { createPerlDatabase, PERL_PASSWORDS } from '../helpers/perl-database.js';
import { RawSocket } from '../helpers/raw-socket.js';

test('the server runs on a Perl server database: logins, replay and stored messages as the reference', async (t) => {
  const database = await createPerlDatabase();
  t.after(() => database.drop());
  const h = await startServer(t, {
    settings: { 'database.url': database.url, 'server.allow_plain_scheme1': true },
  });
  assert.ok(
    h.logs.some((line) => line.includes('"store":"perl-mysql"')),
    'the log says Perl mode is in use',
  );

  // A car and an app log in with the carpass the Drupal module stored.
  const app = await h.connect('A', 'TWIZY1', 'car secret 1');
  assert.equal(await app.next(), 'Z0');
  assert.equal(await app.next(), 'F3.3.005,VIN123,22,0,RT');
  assert.equal(await app.next(), 'S80.5,K,230,16.00,charging');
  assert.equal(await app.next(), 'L51.5,-0.11,270');
  assert.match(await app.next(), /^T\d+$/, 'the age of v_lastupdate');
  const car = await h.connect('C', 'TWIZY1', 'car secret 1');
  assert.equal(await app.next(), 'Z1');
  car.send('S', '82.0,K,230,16.00,charging');
  assert.equal(await app.next(), 'S82.0,K,230,16.00,charging');
  await h.store.flush();
  const rows = await mysqlAdmin(async (c) => {
    const [r] = await c.query(
      "SELECT m_msg FROM ovms_carmessages WHERE owner = 7 AND vehicleid = 'TWIZY1' AND m_code = 'S'",
    );
    return r as { m_msg: string }[];
  }, database.url);
  assert.deepEqual(rows, [{ m_msg: '82.0,K,230,16.00,charging' }]);

  // Scheme 1 with the owner's Drupal password, and with a plain-text (AuthDbSimple) one.
  const alice = await RawSocket.connect(h.port);
  alice.write(`MP-A 1 alice ${PERL_PASSWORDS.alice} LEAF2\r\n`);
  assert.equal(await alice.nextLine(), 'MP-S 1 alice LEAF2 LEAF2 TWIZY1');
  alice.destroy();
  const bob = await RawSocket.connect(h.port);
  bob.write(`MP-A 1 bob ${PERL_PASSWORDS.bob} *\r\n`);
  assert.equal(await bob.nextLine(), 'MP-S 1 bob BOBCAR BOBCAR');
  bob.destroy();
});
