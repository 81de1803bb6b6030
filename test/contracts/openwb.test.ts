import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  httpsWire,
  integer,
  json,
  numericString,
  OWNER,
  object,
  sceneWithCar,
  string,
  VEHICLE,
  type Wire,
} from './wire.js';

/**
 * openWB's OVMS SoC module (packages/modules/vehicles/ovms/api.py), replayed: it creates its own API
 * token with POST /api/token, account credentials in the query and the form as Python requests'
 * `files=` makes it (multipart/form-data, every value a part with a file name), keeps the whole JSON
 * answer, tries to clean up older tokens of its application with that token as password, then reads
 * /api/status with `username` and the token. No cookie. Docs: docs/http-api.md "Clients we test against".
 */

/** A multipart body as Python requests builds it for `files={name: value}`: a random hex boundary, filename = name. */
function requestsFiles(fields: Record<string, string>): { headers: Record<string, string>; body: Buffer } {
  const boundary = randomBytes(16).toString('hex');
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'user-agent': 'python-requests/2.32.3',
      accept: '*/*',
      'accept-encoding': 'gzip, deflate',
    },
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
  };
}

async function createToken(wire: Wire): Promise<{ saved: string; token: string }> {
  const form = requestsFiles({ application: 'owb-ovms', purpose: 'get soc' });
  const reply = await wire.send('/api/token', { method: 'POST', query: OWNER, ...form });
  const created = object(json(reply, 201));
  assert.equal(string(created, 'application'), 'owb-ovms');
  assert.equal(string(created, 'purpose'), 'get soc');
  assert.equal(string(created, 'permit'), 'auth');
  assert.equal(string(created, 'owner'), OWNER.username);
  // openWB stores the answer text and later reads loads(text)['token'].
  const saved = reply.text.trimEnd();
  const token = string(object(JSON.parse(saved)), 'token');
  assert.match(token, /^[0-9a-f]{64}$/);
  return { saved, token };
}

test('openWB: multipart token, cleanup refused to a reading token (as the reference), status read with the token', async (t) => {
  const s = await sceneWithCar(t);
  const wire = httpsWire(s, false);
  const { saved, token } = await createToken(wire);
  const auth = { username: OWNER.username, password: token };

  // cleanup_token: GET /api/token with its own token. The token has the default permit (auth), which
  // does not include token.admin, so the list is refused 403 as the reference refuses it; openWB logs
  // that and carries on. (Had it been listed, openWB would compare the hashes shown here with its
  // token and delete its own: the refusal keeps it.)
  const list = await wire.send('/api/token', { query: auth });
  assert.equal(list.status, 403);
  assert.equal(list.text, 'Insufficient rights\n');
  const del = await wire.send(`/api/token/${'0'.repeat(64)}`, { method: 'DELETE', query: auth });
  assert.equal(del.status, 403);

  // get_status with the token.
  const status = object(json(await wire.send(`/api/status/${VEHICLE}`, { query: auth })));
  const soc = Math.trunc(numericString(status, 'soc')); // int(float(soc))
  const range = numericString(status, 'estimatedrange');
  const km = numericString(status, 'odometer') / 10;
  const v12 = numericString(status, 'vehicle12v');
  const socTime = string(status, 'm_msgtime_s');
  assert.deepEqual({ soc, range, km, v12 }, { soc: 80, range: 200, km: 4567.89, v12: 12.6 });
  assert.match(socTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  integer(status, 'm_msgage_s');

  // The next run reads the saved answer again and uses the same token.
  const again = object(
    json(await wire.send(`/api/status/${VEHICLE}`, { query: { ...auth, password: token } })),
  );
  assert.equal(numericString(again, 'soc'), 80.5);
  assert.equal(string(object(JSON.parse(saved)), 'application'), 'owb-ovms');

  // The owner sees the token openWB made (by its application), and can delete it.
  const mine = json(await wire.send('/api/token', { query: OWNER })) as Record<string, unknown>[];
  assert.deepEqual(
    mine.map((row) => row.application),
    ['owb-ovms'],
  );
  const hash = string(mine[0]!, 'token');
  assert.equal((await wire.send(`/api/token/${hash}`, { method: 'DELETE', query: OWNER })).status, 200);
  // A deleted token fails get_status (> 299), and openWB makes a new token.
  assert.equal((await wire.send(`/api/status/${VEHICLE}`, { query: auth })).status, 401);
  const renewed = await createToken(wire);
  const status2 = await wire.send(`/api/status/${VEHICLE}`, { query: { ...auth, password: renewed.token } });
  assert.equal(numericString(object(json(status2)), 'soc'), 80.5);
});

test('openWB makes a new token whenever its token stops working: each multipart POST makes another', async (t) => {
  const s = await sceneWithCar(t);
  const wire = httpsWire(s, false);
  // The same body sent twice makes two tokens (openWB makes one whenever its token stops working).
  const a = await createToken(wire);
  const b = await createToken(wire);
  assert.notEqual(a.token, b.token);
});
