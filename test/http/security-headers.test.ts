import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { dashboardCsp, tileSource } from '../../src/http/security-headers.js';
import { startServer } from '../helpers/harness.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';
import { Api } from './api-client.js';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

test('every answer: CSP, no framing, no referrer, no sniffing; no HSTS and no Secure cookie on plain HTTP', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  for (const res of [
    await api.call('GET', '/api/vehicles'),
    await api.withPassword('GET', '/api/vehicles'),
    await api.call('GET', '/api/nothing'),
  ]) {
    assert.equal(res.headers.get('content-security-policy'), API_CSP);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('strict-transport-security'), null);
  }
  const login = await api.withPassword('GET', '/api/cookie');
  assert.doesNotMatch(login.headers.get('set-cookie') ?? '', /Secure/);
  // A client cannot claim HTTPS through X-Forwarded-Proto unless http.trust_proxy is set.
  const claimed = await api.withPassword('GET', '/api/cookie', { headers: { 'x-forwarded-proto': 'https' } });
  assert.doesNotMatch(claimed.headers.get('set-cookie') ?? '', /Secure/);
  assert.equal(claimed.headers.get('strict-transport-security'), null);
});

test('the /api/docs page allows exactly its own inline style', async (t) => {
  const h = await startServer(t);
  const res = await new Api(h).call('GET', '/api/docs');
  assert.equal(res.status, 200);
  const style = /<style>([\s\S]*?)<\/style>/.exec(res.text)?.[1] ?? '';
  const hash = createHash('sha256').update(style).digest('base64');
  assert.equal(
    res.headers.get('content-security-policy'),
    `default-src 'none'; style-src 'sha256-${hash}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
  );
});

test('HTTPS: Strict-Transport-Security and a Secure cookie', async (t) => {
  const cert = makeTestCertificate();
  t.after(() => rmSync(cert.dir, { recursive: true, force: true }));
  const h = await startServer(t, { tls: cert });
  const { request } = await import('node:https');
  const answer = await new Promise<{ headers: Record<string, string | string[] | undefined> }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: h.httpsPort,
          path: '/api/cookie?username=owner&password=owner-password',
          ca: cert.pem,
          servername: 'localhost',
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ headers: res.headers }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
  assert.equal(answer.headers['strict-transport-security'], 'max-age=15552000');
  assert.match(String(answer.headers['set-cookie']), /; Secure/);
});

test('behind a trusted proxy that ended TLS: Secure cookie and HSTS', async (t) => {
  const h = await startServer(t, { settings: { 'http.trust_proxy': true } });
  const api = new Api(h);
  const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.7' };
  const res = await api.withPassword('GET', '/api/cookie', { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
  assert.equal(res.headers.get('strict-transport-security'), 'max-age=15552000');
  const post = await api.call('POST', '/api/cookie', {
    headers,
    body: { username: 'owner', password: 'owner-password' },
  });
  assert.match(post.headers.get('set-cookie') ?? '', /; Secure/);
});

test('the dashboard policy: own scripts and styles only, images from the tile server', async (t) => {
  assert.equal(
    tileSource('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png'),
    'https://*.tile.openstreetmap.org',
  );
  assert.equal(
    tileSource('https://tiles.example.com:8443/{z}/{x}/{y}.png'),
    'https://tiles.example.com:8443',
  );
  assert.equal(tileSource('https://{a}-{b}.example.com/{z}.png'), 'https:');
  assert.equal(tileSource(''), undefined);
  const csp = dashboardCsp('https://tile.openstreetmap.org/{z}/{x}/{y}.png');
  assert.match(csp, /script-src 'self';/);
  assert.match(csp, /img-src 'self' data: https:\/\/tile\.openstreetmap\.org;/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe/);
  assert.match(dashboardCsp(''), /img-src 'self' data:;/);

  const tiles = 'https://tile.openstreetmap.org/{z}/{x}/{y}.png';
  const h = await startServer(t, { settings: { 'http.map_tiles': tiles } });
  const index = await new Api(h).call('GET', '/');
  if (!index.headers.get('content-type')?.includes('text/html')) return; // dashboard not built
  assert.equal(index.headers.get('content-security-policy'), dashboardCsp(tiles));
  assert.equal(index.headers.get('x-frame-options'), 'DENY');
});
