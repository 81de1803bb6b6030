import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addApiToken } from '../helpers/api-tokens.js';
import { startServer } from '../helpers/harness.js';
import { Api, assertJson, assertText, sessionCookieOf } from './api-client.js';

test('POST /api/token: a token never creates a token with a right its caller does not have', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const stored = (permit: string, fill: string) => addApiToken(h, permit, fill.repeat(64));
  const create = (credentials: { query?: Record<string, string>; cookie?: string }, permit: string) =>
    api.call('POST', '/api/token', { ...credentials, form: { permit } });
  const created = () => h.store.listApiTokens(h.owner.id).then((l) => l.map((x) => x.permit).sort());

  // A token.admin token (reads, manages tokens): no `*`, nothing it does not hold itself.
  const admin = { query: { username: 'owner', password: await stored('token.admin', 'a') } };
  for (const permit of ['*', 'vehicle.control', 'vehicle.shell', 'v2', 'v2,vehicle.read', 'mqtt', 'session'])
    assertText(await create(admin, permit), 403, 'Insufficient rights');
  for (const permit of ['auth', 'vehicle.read', 'token.admin', 'token.admin,auth'])
    assertJson(await create(admin, permit), 201);
  const bearer = { authorization: `Bearer ${admin.query.password}` };
  const viaBearer = await api.call('POST', '/api/token', { headers: bearer, body: { permit: '*' } });
  assertText(viaBearer, 403, 'Insufficient rights');

  // A token with more rights grants up to them; `admin` covers `token.admin`, `mqtt` and `v3` each other.
  const wider = { query: { username: 'owner', password: await stored('admin,vehicle.control,v3', 'b') } };
  for (const permit of ['token.admin,vehicle.control', 'mqtt,vehicle.read', 'admin'])
    assertJson(await create(wider, permit), 201);
  for (const permit of ['vehicle.shell', 'v2', 'session', '*'])
    assertText(await create(wider, permit), 403, 'Insufficient rights');

  // A session keeps its maker's rights: a token's session cannot mint `*`, the password's can.
  const sessionToken = await stored('session,token.admin', 'c');
  const res = await api.call('GET', '/api/cookie', { query: { username: 'owner', password: sessionToken } });
  assertText(await create({ cookie: sessionCookieOf(res) }, '*'), 403, 'Insufficient rights');
  assertJson(await create({ cookie: await api.login() }, '*'), 201);
  assertJson(
    await api.withPassword('POST', '/api/token', { form: { permit: 'vehicle.shell,session' } }),
    201,
  );

  // Unknown rights, and `*`/`none` inside a list, are refused with the reason.
  const bad = await api.withPassword('POST', '/api/token', { form: { permit: 'auth,controll' } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /^Bad request: unknown right "controll" \(known: \*, none, vehicle\.read/);
  assertText(
    await api.withPassword('POST', '/api/token', { form: { permit: '*,v2' } }),
    400,
    'Bad request: "*" must stand alone',
  );
  assert.deepEqual(await created(), [
    '*',
    'admin',
    'admin,vehicle.control,v3',
    'auth',
    'mqtt,vehicle.read',
    'session,token.admin',
    'token.admin',
    'token.admin',
    'token.admin,auth',
    'token.admin,vehicle.control',
    'vehicle.read',
    'vehicle.shell,session',
  ]);
});
