import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import { Api, assertJson, assertText, sessionCookieOf } from './api-client.js';

type Harness = Awaited<ReturnType<typeof startServer>>;

const ROOT = new URL('../../', import.meta.url).pathname;

/** `ovms-server owner passwd` as an operator runs it, against the running server's database. */
function passwd(
  h: Harness,
  password: string,
  ...extra: string[]
): Promise<{ code: number | null; out: string }> {
  const args = [
    '--import',
    'tsx',
    'src/cli/ovms-server.ts',
    'owner',
    'passwd',
    'owner',
    '--password',
    password,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, ...extra, '--db', h.config.database.url], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function newToken(api: Api, permit: string): Promise<string> {
  const res = await api.withPassword('POST', '/api/token', { form: { permit } });
  return (assertJson(res, 201) as { token: string }).token;
}

const works = async (api: Api, opts: Parameters<Api['call']>[2]) =>
  (await api.call('GET', '/api/vehicles', opts)).status;

test('PUT /api/account/password ends the other sessions and revokes the tokens (keep_tokens keeps them)', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const changer = await api.login();
  const other = await api.login();
  const sessionToken = await newToken(api, 'session,auth');
  const tokenSession = sessionCookieOf(
    await api.call('GET', '/api/cookie', { query: { username: 'owner', password: sessionToken } }),
  );
  const reader = await newToken(api, 'auth');
  for (const opts of [
    { cookie: other },
    { cookie: tokenSession },
    { query: { username: 'owner', password: reader } },
  ])
    assert.equal(await works(api, opts), 200);

  const res = await api.call('PUT', '/api/account/password', {
    cookie: changer,
    form: { current: 'owner-password', password: 'second-password' },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(
    await works(api, { cookie: other }),
    404,
    'another session of the owner ends (Session expired)',
  );
  assert.equal(await works(api, { cookie: changer }), 200, 'the session that made the change carries on');
  assertText(res, 200, 'Password changed; 2 API token(s) revoked');
  assert.equal(await works(api, { cookie: tokenSession }), 404, "a token's session ends (Session expired)");
  for (const token of [reader, sessionToken]) {
    assert.equal(await works(api, { query: { username: 'owner', password: token } }), 401, 'token revoked');
    assert.equal(await works(api, { headers: { authorization: `Bearer ${token}` } }), 401);
  }
  assert.deepEqual(await h.store.listApiTokens(h.owner.id), []);

  // keep_tokens: the tokens stay; sessions still end.
  const fresh = new Api(h, { username: 'owner', password: 'second-password' });
  const kept = await newToken(fresh, 'auth');
  const another = await fresh.login();
  const again = await api.call('PUT', '/api/account/password', {
    cookie: changer,
    body: { current: 'second-password', password: 'third-password', keep_tokens: true },
  });
  assertText(again, 200, 'Password changed');
  assert.equal(await works(api, { query: { username: 'owner', password: kept } }), 200, 'token kept');
  assert.equal(await works(api, { cookie: another }), 404);
  assert.equal(await works(api, { cookie: changer }), 200);
  // A password change over a token (no session of its own) ends every session.
  const changerByPassword = new Api(h, { username: 'owner', password: 'third-password' });
  const last = await changerByPassword.withPassword('PUT', '/api/account/password', {
    form: { current: 'third-password', password: 'fourth-password', keep_tokens: 'true' },
  });
  assertText(last, 200, 'Password changed');
  assert.equal(await works(api, { cookie: changer }), 404);
});

test('ovms-server owner passwd: the running server ends the sessions; tokens revoked unless --keep-tokens', async (t) => {
  const h = await startServer(t);
  const api = new Api(h);
  const session = await api.login();
  const token = await newToken(api, 'auth');
  const changed = await passwd(h, 'cli-password-1');
  assert.equal(changed.code, 0, changed.out);
  assert.equal(
    await works(api, { cookie: session }),
    404,
    'the session made under the old password ends (Session expired)',
  );
  assert.equal(await works(api, { query: { username: 'owner', password: token } }), 401, 'token revoked');
  assert.match(changed.out, /password of owner changed; 1 API token\(s\) revoked/);

  const fresh = new Api(h, { username: 'owner', password: 'cli-password-1' });
  const second = await fresh.login();
  const third = await newToken(fresh, 'auth');
  const kept = await passwd(h, 'cli-password-2', '--keep-tokens');
  assert.equal(kept.code, 0, kept.out);
  assert.match(kept.out, /password of owner changed; API tokens kept/);
  assert.equal(await works(api, { cookie: second }), 404);
  assert.equal(await works(api, { query: { username: 'owner', password: third } }), 200, 'token kept');
  assert.equal(await works(api, { query: { username: 'owner', password: 'cli-password-2' } }), 200);
});
