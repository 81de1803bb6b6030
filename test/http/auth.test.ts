import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashApiToken } from '../../src/auth/passwords.js';
import { addApiToken } from '../helpers/api-tokens.js';
import { startServer } from '../helpers/harness.js';
import { Api, assertJson, assertText, sessionCookieOf } from './api-client.js';

const addToken = addApiToken;

test('401 Authentication failed: no credentials, a wrong password, an unknown user, a `none` token', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const none = await addToken(h, 'none', 'n'.repeat(64));
  assertText(await api.call('GET', '/api/vehicles'), 401, 'Authentication failed');
  for (const [username, password] of [
    ['owner', 'wrong'],
    ['nobody', 'owner-password'],
    ['owner', ''],
    ['owner', none],
  ] as const) {
    assertText(
      await api.call('GET', '/api/vehicles', { query: { username, password } }),
      401,
      'Authentication failed',
    );
  }
  const bearer = { authorization: `Bearer ${none}` };
  assertText(await api.call('GET', '/api/vehicles', { headers: bearer }), 401, 'Authentication failed');
  const wrong = { authorization: `Bearer ${'x'.repeat(64)}` };
  assertText(await api.call('GET', '/api/vehicles', { headers: wrong }), 401, 'Authentication failed');
  // A cookie naming no session, alone: 404 `Session expired` (what ovms-hass logs in again on).
  assertText(
    await api.call('GET', '/api/vehicles', { cookie: 'ovmsapisession=not-a-session' }),
    404,
    'Session expired',
  );
  // With other credentials, those decide.
  assertText(
    await api.call('GET', '/api/vehicles', {
      cookie: 'ovmsapisession=not-a-session',
      query: { username: 'owner', password: 'wrong' },
    }),
    401,
    'Authentication failed',
  );
});

test('a password, an API token as password, a bearer token and a session cookie all authenticate', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  const token = await addToken(h, 'auth', 'a'.repeat(64));
  const expected = [{ id: 'DEMO', v_apps_connected: 0, v_btcs_connected: 0, v_net_connected: 0 }];
  assert.deepEqual(assertJson(await api.withPassword('GET', '/api/vehicles'), 200), expected);
  const asToken = await api.call('GET', '/api/vehicles', { query: { username: 'owner', password: token } });
  assert.deepEqual(assertJson(asToken, 200), expected);
  const bearer = await api.call('GET', '/api/vehicles', { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(assertJson(bearer, 200), expected);
  const cookie = await api.login();
  assert.deepEqual(assertJson(await api.call('GET', '/api/vehicles', { cookie }), 200), expected);
  // A token of another owner is not this owner's password.
  const other = await h.addOwner('other');
  await h.store.createApiToken({
    ownerId: other.id,
    tokenHash: hashApiToken('o'.repeat(64)),
    application: 'x',
    purpose: 'x',
    permit: '*',
  });
  const crossed = await api.call('GET', '/api/vehicles', {
    query: { username: 'owner', password: 'o'.repeat(64) },
  });
  assertText(crossed, 401, 'Authentication failed');
});

test('403 Insufficient rights: a token without `session` or `token.admin`', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const token = await addToken(h, 'auth', 'b'.repeat(64));
  const query = { username: 'owner', password: token };
  assertText(await api.call('GET', '/api/cookie', { query }), 403, 'Insufficient rights');
  assertText(await api.call('GET', '/api/token', { query }), 403, 'Insufficient rights');
  assertText(await api.call('POST', '/api/token', { query }), 403, 'Insufficient rights');
  const sessionToken = await addToken(h, 'session,auth', 'c'.repeat(64));
  const res = await api.call('GET', '/api/cookie', { query: { username: 'owner', password: sessionToken } });
  assertText(res, 200, 'Login ok');
  const cookie = sessionCookieOf(res);
  assertText(await api.call('GET', '/api/token', { cookie }), 403, 'Insufficient rights');
});

test("403 Forbidden on every per-vehicle route for another owner's vehicle or an unknown one", async (t) => {
  const h = await startServer(t);
  const other = await h.addOwner('other');
  await h.addVehicle('THEIRS', 's2', other);
  const api = new Api(h);
  const cookie = await api.login();
  const doc = (await api.call('GET', '/api/openapi.json')).json as {
    paths: Record<string, Record<string, unknown>>;
  };
  const perVehicle = Object.entries(doc.paths).filter(([path]) => path.includes('{vehicleId}'));
  assert.ok(perVehicle.length >= 15, `${perVehicle.length} per-vehicle paths`);
  let checked = 0;
  for (const [path, ops] of perVehicle) {
    for (const method of Object.keys(ops)) {
      for (const id of ['THEIRS', 'NOSUCH']) {
        const url = path.replace('{vehicleId}', id).replace('{type}', 'X');
        const body = method === 'get' ? undefined : {};
        const res = await api.call(method.toUpperCase(), url, { cookie, body });
        assertText(res, 403, 'Forbidden');
        checked++;
      }
    }
  }
  assert.ok(checked >= 40, `${checked} calls`);
});

test('404 Unrecognised API call before any authentication; other paths answer `not found` (the root is the dashboard)', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  assertText(await api.call('GET', '/api/nosuch'), 404, 'Unrecognised API call');
  assertText(await api.call('PATCH', '/api/vehicles'), 404, 'Unrecognised API call');
  assertText(await api.withPassword('GET', '/api/status'), 404, 'Unrecognised API call');
  assertText(await api.call('GET', '/mqapi/auth'), 404, 'Unrecognised API call');
  assert.equal((await api.call('GET', '/')).status, 200, 'the web dashboard (docs/dashboard.md)');
  assertText(await api.call('GET', '/nosuch.html'), 404, 'not found');
  assertText(await api.call('GET', '/file/x'), 404, 'not found');
});

test('the session cookie: attributes, logout, and a new login ending the old session', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z0');
  const api = new Api(h);
  const res = await api.withPassword('GET', '/api/cookie');
  assertText(res, 200, 'Login ok');
  assert.match(
    res.headers.get('set-cookie') ?? '',
    /^ovmsapisession=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/,
  );
  const first = sessionCookieOf(res);
  await api.call('GET', '/api/vehicle/DEMO', { cookie: first });
  assert.equal(await car.nextOf('Z'), 'Z1');
  // Logging in again with the old cookie replaces that session: its vehicle connection ends.
  const again = await api.call('GET', '/api/cookie', { cookie: first });
  assertText(again, 200, 'Login ok');
  assert.equal(await car.nextOf('Z'), 'Z0');
  const second = sessionCookieOf(again);
  assert.notEqual(second, first);
  assertText(await api.call('GET', '/api/vehicles', { cookie: first }), 404, 'Session expired');
  await api.call('GET', '/api/vehicle/DEMO', { cookie: second });
  assert.equal(await car.nextOf('Z'), 'Z1');
  const out = await api.call('DELETE', '/api/cookie', { cookie: second });
  assertText(out, 200, 'Logout ok');
  assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
  assert.equal(await car.nextOf('Z'), 'Z0');
  assertText(await api.call('GET', '/api/vehicles', { cookie: second }), 404, 'Session expired');
});

test('sessions expire after the timeout without use (sliding), and expiry disconnects the car', async (t) => {
  const h = await startServer(t, { settings: { 'http.session_timeout': 0.8 } });
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z0');
  const api = new Api(h);
  const cookie = await api.login();
  assertJson(await api.call('GET', '/api/vehicle/DEMO', { cookie }), 200);
  assert.equal(await car.nextOf('Z'), 'Z1');
  const started = Date.now();
  // Keep using it for longer than the timeout: each use extends it.
  while (Date.now() - started < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    assertJson(await api.call('GET', '/api/vehicles', { cookie }), 200);
  }
  assert.deepEqual(car.pending(), [], 'still connected');
  // Now leave it alone: the sweep ends it and the car hears Z0.
  assert.equal(await car.nextOf('Z', 5000), 'Z0');
  assert.ok(Date.now() - started >= 2800);
  assertText(await api.call('GET', '/api/vehicles', { cookie }), 404, 'Session expired');
});

test('CORS: preflight answered, every response carries the allowed origin', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const pre = await api.call('OPTIONS', '/api/lock/DEMO', {
    headers: {
      origin: 'https://dash.example',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'authorization',
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /PUT/);
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /Authorization/i);
  const res = await api.call('GET', '/api/vehicles', { headers: { origin: 'https://dash.example' } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
});

test('CORS with one configured origin allows credentials', async (t) => {
  const h = await startServer(t, { settings: { 'http.cors_origin': 'https://dash.example' } });
  const api = new Api(h);
  const res = await api.withPassword('GET', '/api/vehicles', { headers: { origin: 'https://dash.example' } });
  assert.equal(res.headers.get('access-control-allow-origin'), 'https://dash.example');
  assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
});

test('rate limit: 429 once the burst is used, per address, unless exempt', async (t) => {
  const h = await startServer(t, {
    settings: { 'http.ratelimit_burst': 3, 'http.ratelimit_per_minute': 1, 'http.ratelimit_max': 3 },
  });
  const api = new Api(h);
  for (let i = 0; i < 3; i++) assert.equal((await api.call('GET', '/api/vehicles')).status, 401);
  const refused = await api.call('GET', '/api/vehicles');
  assertText(refused, 429, 'Too many requests');
  assert.equal(refused.headers.get('retry-after'), '60');
  assert.equal(refused.headers.get('access-control-allow-origin'), '*');
  assert.equal((await api.withPassword('GET', '/api/vehicles')).status, 429);
  // The dashboard's own files are not refused with the data: a page without its stylesheet is broken.
  const index = await api.call('GET', '/');
  assert.equal(index.status, 200);
  const asset = /assets\/[^"]+\.(?:js|css)/.exec(index.text)?.[0];
  if (asset) assert.equal((await api.call('GET', `/${asset}`)).status, 200);
  assert.equal((await api.call('GET', '/api/vehicles')).status, 429);

  const h2 = await startServer(t, {
    settings: {
      'http.ratelimit_burst': 1,
      'http.ratelimit_per_minute': 1,
      'http.ratelimit_exempt': '127.0.0.1',
    },
  });
  const exempt = new Api(h2);
  for (let i = 0; i < 5; i++) assert.equal((await exempt.call('GET', '/api/vehicles')).status, 401);
});

test('credentials and tokens never reach the logs', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h, { username: 'owner', password: 'owner-password' });
  const token = await addToken(h, '*', 'd'.repeat(64));
  await api.withPassword('GET', '/api/status/DEMO');
  await api.call('GET', '/api/vehicles', { query: { username: 'owner', password: 'wrong-secret-pw' } });
  await api.call('GET', '/api/vehicles', { headers: { authorization: `Bearer ${token}` } });
  const cookie = await api.login();
  await api.call('GET', '/api/vehicles', { cookie });
  await api.call('GET', '/api/nosuch', { query: { password: 'owner-password' } });
  const created = (await api.withPassword('POST', '/api/token', { form: { permit: 'auth' } })).json as {
    token: string;
  };
  const logs = h.logs.join('\n');
  assert.ok(logs.includes('HTTP request'), 'requests are logged');
  for (const secret of ['owner-password', 'wrong-secret-pw', token, cookie.split('=')[1]!, created.token])
    assert.ok(!logs.includes(secret), `secret in logs: ${secret}`);
});
