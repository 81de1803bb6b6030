import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { startServer } from '../helpers/harness.js';
import { Api, assertText, sessionCookieOf } from './api-client.js';

/** What a browser adds to a request made by a page of another site (or another port of this host). */
const CROSS_SITE = { origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site' };
const SAME_SITE_OTHER_PORT = (port: number) => ({
  origin: `http://127.0.0.1:${port + 1}`,
  'sec-fetch-site': 'same-site',
});
const OWN = (port: number) => ({ origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' });

const COMMAND = { command: 7, params: 'stat' };

test('a state-changing request with the session cookie must come from the server’s own pages', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  const cookie = await api.login();
  const post = (headers: Record<string, string>, extra: { query?: Record<string, string> } = {}) =>
    api.call('POST', '/api/command/DEMO', { cookie, headers, body: COMMAND, ...extra });

  // Refused before anything runs: the car (not even connected) is never asked.
  assertText(await post(CROSS_SITE), 403, 'Cross-origin request refused');
  assertText(await post(SAME_SITE_OTHER_PORT(h.httpPort)), 403, 'Cross-origin request refused');
  assertText(await post({ origin: 'http://attacker.example' }), 403, 'Cross-origin request refused');
  assertText(await post({ origin: 'null' }), 403, 'Cross-origin request refused');
  assertText(
    await api.call('DELETE', '/api/cookie', { cookie, headers: CROSS_SITE }),
    403,
    'Cross-origin request refused',
  );
  assert.ok(h.logs.some((l) => l.includes('HTTP request refused: cross-origin use of the session cookie')));
  // The server's own pages, and clients that are no browser (no Origin, no Sec-Fetch-Site), go on.
  assertText(await post(OWN(h.httpPort)), 409, 'Vehicle not connected');
  assertText(await post({ origin: `http://127.0.0.1:${h.httpPort}` }), 409, 'Vehicle not connected');
  assertText(await post({ 'sec-fetch-site': 'none' }), 409, 'Vehicle not connected');
  assertText(await post({}), 409, 'Vehicle not connected');
  // Reading is not affected, and the session survived the refused logout.
  assert.equal((await api.call('GET', '/api/vehicles', { cookie, headers: CROSS_SITE })).status, 200);
  // Credentials of its own (query or token) make a cross-origin request go on without the cookie.
  const query = { username: 'owner', password: 'owner-password' };
  assertText(await post(CROSS_SITE, { query }), 409, 'Vehicle not connected');
});

test('http.allowed_origins lets a dashboard served elsewhere use the cookie', async (t) => {
  const h = await startServer(t, { settings: { 'http.allowed_origins': 'https://dash.example.com' } });
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  const cookie = await api.login();
  const headers = { origin: 'https://dash.example.com', 'sec-fetch-site': 'cross-site' };
  const res = await api.call('POST', '/api/command/DEMO', { cookie, headers, body: COMMAND });
  assertText(res, 409, 'Vehicle not connected');
  const other = { origin: 'https://other.example.com', 'sec-fetch-site': 'cross-site' };
  const refused = await api.call('POST', '/api/command/DEMO', { cookie, headers: other, body: COMMAND });
  assertText(refused, 403, 'Cross-origin request refused');
});

test('the live stream opens with the cookie only from the server’s own pages (SSE and WebSocket)', {
  timeout: 10_000,
}, async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  const cookie = await api.login();
  const sse = await api.call('GET', '/api/stream/DEMO', {
    cookie,
    headers: { ...CROSS_SITE, accept: 'text/event-stream' },
  });
  assertText(sse, 403, 'Cross-origin request refused');

  const url = api.url('/api/stream/DEMO').replace(/^http/, 'ws');
  const open = (origin: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url, { headers: { cookie, origin } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('message', () => {
        resolve(101);
        ws.close();
      });
      ws.on('error', () => {});
    });
  assert.equal(await open('http://attacker.example'), 403);
  assert.equal(await open(`http://127.0.0.1:${h.httpPort + 1}`), 403);
  assert.equal(await open(`http://127.0.0.1:${h.httpPort}`), 101);
});

test('log in with a POST body (form or JSON); login from a foreign page is refused', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const json = await api.call('POST', '/api/cookie', {
    body: { username: 'owner', password: 'owner-password' },
  });
  assertText(json, 200, 'Login ok');
  assert.match(
    json.headers.get('set-cookie') ?? '',
    /^ovmsapisession=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/,
  );
  const cookie = sessionCookieOf(json);
  assert.equal((await api.call('GET', '/api/vehicles', { cookie })).status, 200);
  const form = await api.call('POST', '/api/cookie', {
    form: { username: 'owner', password: 'owner-password' },
    headers: OWN(h.httpPort),
  });
  assertText(form, 200, 'Login ok');
  assertText(
    await api.call('POST', '/api/cookie', { body: { username: 'owner', password: 'wrong' } }),
    401,
    'Authentication failed',
  );
  assert.equal((await api.call('POST', '/api/cookie', { body: { username: 'owner' } })).status, 400);

  // Login CSRF: a foreign page cannot log the browser in to an account of its choosing.
  const forged = await api.call('POST', '/api/cookie', {
    form: { username: 'owner', password: 'owner-password' },
    headers: CROSS_SITE,
  });
  assertText(forged, 403, 'Cross-origin request refused');
  assert.equal(forged.headers.get('set-cookie'), null);
  const query = { username: 'owner', password: 'owner-password' };
  const link = await api.call('GET', '/api/cookie', { query, headers: { 'sec-fetch-site': 'cross-site' } });
  assertText(link, 403, 'Cross-origin request refused');
  // evcc and Home Assistant keep logging in with GET and query credentials.
  assertText(await api.call('GET', '/api/cookie', { query }), 200, 'Login ok');
});

test('a malformed URL is answered 400 without echoing it (its query can hold the password)', async (t) => {
  const h = await startServer(t);
  const res = await fetch(
    `http://127.0.0.1:${h.httpPort}/api/co%ZZokie?username=owner&password=owner-password`,
  );
  assert.equal(res.status, 400);
  const body = await res.text();
  assert.equal(body, 'Bad request: malformed URL\n');
  assert.ok(!h.logs.some((l) => l.includes('owner-password')));
});
