import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addApiToken } from '../helpers/api-tokens.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { Api, type ApiResponse, assertJson, assertText, sessionCookieOf } from './api-client.js';

/** A token as it would sit in a user's database (made by an older version or the reference). */
const storedToken = (h: Harness, permit: string, fill: string) => addApiToken(h, permit, fill.repeat(64));

const VEHICLE_RIGHTS = ['vehicle.read', 'vehicle.control', 'vehicle.shell'];

test('every per-vehicle route declares its vehicle right; an mqtt token is refused exactly the control and shell ones', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  const mqtt = await storedToken(h, 'mqtt', 'm');
  const doc = (await api.call('GET', '/api/openapi.json')).json as {
    paths: Record<string, Record<string, { 'x-rights'?: string[] }>>;
  };
  const needs: Record<string, string[]> = {};
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.includes('{vehicleId}')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const route = `${method.toUpperCase()} ${path}`;
      if (route === 'DELETE /api/push/{vehicleId}/{appId}') continue; // an account write: `*` or admin
      const right = (op['x-rights'] ?? []).find((r) => VEHICLE_RIGHTS.includes(r));
      assert.ok(right, `${route} declares a vehicle right (x-rights: ${op['x-rights']})`);
      needs[right] = [...(needs[right] ?? []), route];
      if (path.startsWith('/api/stream/')) continue; // an open stream: tested below
      const url = path.replace('{vehicleId}', 'DEMO').replace('{type}', 'X').replace('{appId}', 'a');
      const res = await api.call(method.toUpperCase(), url, {
        query: { username: 'owner', password: mqtt },
        body: method === 'get' || method === 'delete' ? undefined : {},
      });
      const refused = res.status === 403 && res.text === 'Insufficient rights\n';
      assert.equal(
        refused,
        right !== 'vehicle.read',
        `${route} (${right}) with an mqtt token: ${res.status}`,
      );
    }
  }
  assert.ok(needs['vehicle.control']!.includes('PUT /api/lock/{vehicleId}'));
  assert.ok(needs['vehicle.control']!.includes('DELETE /api/lock/{vehicleId}'));
  assert.ok(needs['vehicle.shell']!.includes('GET /api/parameters/{vehicleId}'));
  assert.ok(needs['vehicle.read']!.includes('GET /api/stream/{vehicleId}'));
  assert.ok(needs['vehicle.read']!.length >= 12, JSON.stringify(needs));

  // The stream reads: an mqtt token streams (every accepted credential reads, as in the reference).
  const abort = new AbortController();
  const res = await fetch(api.url('/api/stream/DEMO'), {
    headers: { authorization: `Bearer ${mqtt}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.match(first, /^event: ready\n/);
  abort.abort();
});

test('rights over HTTP: default token reads; control needs vehicle.control; shell and raw commands vehicle.shell', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z0');
  car.send('S', '80,K,230,16,charging');
  car.send('L', '51.5,-0.14');
  const api = new Api(h);
  const make = async (permit?: string) =>
    (
      assertJson(await api.withPassword('POST', '/api/token', { form: permit ? { permit } : {} }), 201) as {
        token: string;
      }
    ).token;
  const as = (token: string) => new Api(h, { username: 'owner', password: token });
  /** Sends the request, answers the command the car must receive, returns the HTTP reply. */
  const through = async (request: Promise<ApiResponse>, command: string, reply: string) => {
    assert.equal(await car.nextOf('C'), command);
    car.send('c', reply);
    return request;
  };

  // The default token (auth) keeps what REST recipes use it for: GET status, charge, location.
  const reader = as(await make());
  for (const path of ['/api/status/DEMO', '/api/charge/DEMO', '/api/location/DEMO'])
    assertJson(await reader.withPassword('GET', path), 200);
  assertJson(await reader.withPassword('POST', '/api/command/DEMO', { body: { command: 30 } }), 200);
  for (const [method, path, body] of [
    ['PUT', '/api/charge/DEMO', undefined],
    ['PUT', '/api/lock/DEMO', { pin: '1' }],
    ['DELETE', '/api/lock/DEMO', undefined],
    ['POST', '/api/command/DEMO', { command: 20 }],
    ['POST', '/api/command/DEMO', { command: 7, params: 'stat' }],
  ] as const)
    assertText(await reader.withPassword(method, path, { body }), 403, 'Insufficient rights');

  // The token of the issue: issued for the broker, it must not unlock the car or reach the shell.
  const mqtt = as(await make('mqtt'));
  assertText(await mqtt.withPassword('DELETE', '/api/lock/DEMO'), 403, 'Insufficient rights');
  const body = { command: 7, params: 'stat' };
  assertText(await mqtt.withPassword('POST', '/api/command/DEMO', { body }), 403, 'Insufficient rights');

  // vehicle.control: the car's controls, not the shell, the module settings or unknown commands.
  const control = as(await make('vehicle.control'));
  const lock = control.withPassword('PUT', '/api/lock/DEMO', { form: { pin: '1234' } });
  assert.equal((await through(lock, 'C20,1234', '20,0')).status, 200);
  const stop = control.withPassword('POST', '/api/command/DEMO', { body: { command: 12 } });
  assert.equal((await through(stop, 'C12', '12,0')).status, 200);
  for (const [method, path, b] of [
    ['POST', '/api/command/DEMO', body],
    ['POST', '/api/command/DEMO', { command: 201 }],
    ['GET', '/api/parameters/DEMO', undefined],
    ['PUT', '/api/parameters/DEMO', { parameter: 4, value: 'evil.example' }],
  ] as const)
    assertText(await control.withPassword(method, path, { body: b }), 403, 'Insufficient rights');

  // vehicle.shell, and an old `v2` token (a scheme-1 app's, which always could): command 7.
  for (const permit of ['vehicle.shell', 'v2']) {
    const shell = as(await make(permit));
    const cmd = shell.withPassword('POST', '/api/command/DEMO', { body });
    assert.equal((await through(cmd, 'C7,stat', '7,0,ok')).status, 200, permit);
  }

  // A session keeps the rights it was made with: the owner's password, everything; a token's, its own.
  const owner = await api.login();
  const unlock = api.call('DELETE', '/api/lock/DEMO', { cookie: owner });
  assert.equal((await through(unlock, 'C22', '22,0')).status, 200);
  const sessionToken = await make('session,auth');
  const res = await api.call('GET', '/api/cookie', { query: { username: 'owner', password: sessionToken } });
  const tokenSession = sessionCookieOf(res);
  assertText(
    await api.call('DELETE', '/api/lock/DEMO', { cookie: tokenSession }),
    403,
    'Insufficient rights',
  );
  assert.deepEqual(
    car.pending().filter((l) => l.startsWith('C')),
    [],
    'no refused command reached the car',
  );
});
