import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hashApiToken } from '../../src/auth/passwords.js';
import { TokenCreated, TokenDeleted, TokenList } from '../../src/http/schemas.js';
import { startServer } from '../helpers/harness.js';
import { Api, assertJson, assertText } from './api-client.js';

test('POST /api/token: 201 with the token once; stored hashed; listed by hash; lastused kept', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const res = await api.withPassword('POST', '/api/token', {
    form: { application: 'evcc', purpose: 'charging', permit: 'auth,mqtt' },
  });
  const created = assertJson(res, 201, TokenCreated) as { token: string };
  assert.match(created.token, /^[0-9a-f]{64}$/);
  assert.deepEqual(created, {
    application: 'evcc',
    owner: 'owner',
    permit: 'auth,mqtt',
    purpose: 'charging',
    token: created.token,
  });
  const defaults = assertJson(await api.withPassword('POST', '/api/token'), 201) as Record<string, string>;
  assert.equal(defaults.application, 'notspecified');
  assert.equal(defaults.purpose, 'notspecified');
  assert.equal(defaults.permit, 'auth');

  await h.store.flush();
  const files = ['', '-wal'].map((suffix) => {
    try {
      return readFileSync(h.dbPath + suffix).toString('latin1');
    } catch {
      return '';
    }
  });
  assert.ok(!files.some((f) => f.includes(created.token)), 'the raw token is not in the database');
  assert.ok(
    files.some((f) => f.includes(hashApiToken(created.token))),
    'its hash is',
  );

  const hash = hashApiToken(created.token);
  const before = (await h.store.listApiTokens(h.owner.id)).find((x) => x.tokenHash === hash);
  assert.equal(before?.lastUsed, undefined);
  const list = assertJson(await api.withPassword('GET', '/api/token'), 200, TokenList) as Record<
    string,
    string
  >[];
  const row = list.find((r) => r.token === hash);
  assert.ok(row, 'listed by its hash');
  assert.equal(row.lastused, row.created, 'never used: lastused is the creation time, as in the reference');
  assert.deepEqual(Object.keys(row).sort(), [
    'application',
    'created',
    'lastused',
    'owner',
    'permit',
    'purpose',
    'refreshed',
    'token',
  ]);

  const use = await api.call('GET', '/api/vehicles', {
    query: { username: 'owner', password: created.token },
  });
  assert.equal(use.status, 200);
  const after = (await h.store.listApiTokens(h.owner.id)).find((x) => x.tokenHash === hash);
  assert.ok(after?.lastUsed, 'lastused updated when the token is used');
});

test('DELETE /api/token/<token or hash>; without a token 404 Token not specified', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const a = (assertJson(await api.withPassword('POST', '/api/token'), 201) as { token: string }).token;
  const b = (assertJson(await api.withPassword('POST', '/api/token'), 201) as { token: string }).token;
  const del = await api.withPassword('DELETE', `/api/token/${a}`);
  assert.deepEqual(assertJson(del, 200, TokenDeleted), { owner: 'owner', token: a });
  const byHash = await api.withPassword('DELETE', `/api/token/${hashApiToken(b)}`);
  assert.deepEqual(assertJson(byHash, 200), { owner: 'owner', token: hashApiToken(b) });
  assert.deepEqual(assertJson(await api.withPassword('GET', '/api/token'), 200), []);
  for (const gone of [a, b]) {
    const res = await api.call('GET', '/api/vehicles', { query: { username: 'owner', password: gone } });
    assertText(res, 401, 'Authentication failed');
  }
  assertText(await api.withPassword('DELETE', '/api/token'), 404, 'Token not specified');
});

test('/mqapi/auth, /mqapi/superuser, /mqapi/acl for Mosquitto (form or JSON bodies)', async (t) => {
  const h = await startServer(t, { settings: { 'mqtt.superuser': 'broker' } });
  const api = new Api(h);
  const token = async (permit: string) =>
    (assertJson(await api.withPassword('POST', '/api/token', { form: { permit } }), 201) as { token: string })
      .token;
  const mqtt = await token('mqtt');
  const plain = await token('auth');
  const auth = (form: Record<string, string>) => api.call('POST', '/mqapi/auth', { form });
  assertText(await auth({ username: 'owner', password: 'owner-password' }), 200, '');
  assertText(await auth({ username: 'owner', password: mqtt, topic: 'x', acc: '1' }), 200, '');
  assertText(await auth({ username: 'owner', password: plain }), 403, '');
  assertText(await auth({ username: 'owner', password: 'wrong' }), 403, '');
  assertText(await auth({ username: 'owner' }), 403, '');
  const json = await api.call('POST', '/mqapi/auth', {
    body: { username: 'owner', password: mqtt, clientid: 'c1' },
  });
  assertText(json, 200, '');

  const superuser = (form: Record<string, string>) => api.call('POST', '/mqapi/superuser', { form });
  assertText(await superuser({ username: 'broker' }), 200, '');
  assertText(await superuser({ username: 'owner' }), 403, '');
  assertText(await superuser({}), 404, 'Username required');

  const acl = (body: Record<string, string | number>) => api.call('POST', '/mqapi/acl', { body });
  assertText(await acl({ username: 'owner', topic: 'ovms/owner/DEMO/metric/v/b/soc', acc: 1 }), 200, '');
  assertText(await acl({ username: 'owner', topic: 'ovms/other/DEMO/metric', acc: 2 }), 403, '');
  assertText(await acl({ username: 'owner', topic: 'ovms/owner', acc: 1 }), 403, '');
  assertText(await acl({ username: 'broker', topic: 'anything/at/all', acc: 2 }), 200, '');
  assertText(await api.call('GET', '/mqapi/acl'), 404, 'Unrecognised API call');
});

test('/mqapi/superuser without a configured superuser refuses everyone', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  assertText(await api.call('POST', '/mqapi/superuser', { form: { username: 'owner' } }), 403, '');
  assertText(await api.call('POST', '/mqapi/acl', { form: { username: '', topic: 'ovms//x' } }), 403, '');
});
