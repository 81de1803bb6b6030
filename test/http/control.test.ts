import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandLines, CommandReply, ListReply, LockState, ValetState } from '../../src/http/schemas.js';
import { startServer } from '../helpers/harness.js';
import type { TestClient } from '../helpers/test-client.js';
import { Api, type ApiResponse, assertJson, assertText } from './api-client.js';
import { D_PAYLOAD, stored } from './fixtures.js';

async function setUp(t: Parameters<typeof startServer>[0], commandTimeout = 5) {
  const h = await startServer(t, { settings: { 'http.command_timeout': commandTimeout } });
  const vehicle = await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z0');
  return { h, vehicle, car, api: new Api(h) };
}

/** Sends the request, checks the command the car receives, answers it with `replies`, returns the HTTP reply. */
async function exchange(
  car: TestClient,
  request: Promise<ApiResponse>,
  command: string,
  ...replies: string[]
): Promise<ApiResponse> {
  assert.equal(await car.nextOf('C'), command);
  for (const r of replies) car.send('c', r);
  return request;
}

const ok = (command: number, text = '', params: string[] = []) => ({ command, params, result: 0, text });

test('PUT/DELETE /api/lock and /api/valet send 20/22 and 21/23 with the PIN and return the reply', async (t) => {
  const { car, api } = await setUp(t);
  const put = api.withPassword('PUT', '/api/lock/DEMO', { form: { pin: '1234' } });
  assert.deepEqual(assertJson(await exchange(car, put, 'C20,1234', '20,0'), 200, CommandReply), ok(20));
  const del = api.withPassword('DELETE', '/api/lock/DEMO', { body: { pin: '1234' } });
  assert.deepEqual(assertJson(await exchange(car, del, 'C22,1234', '22,0,'), 200), ok(22, '', ['']));
  const valetOn = api.withPassword('PUT', '/api/valet/DEMO');
  assert.deepEqual(
    assertJson(await exchange(car, valetOn, 'C21', '21,0,Valet on'), 200),
    ok(21, 'Valet on', ['Valet on']),
  );
  const valetOff = api.withPassword('DELETE', '/api/valet/DEMO', { form: { pin: '0042' } });
  assert.deepEqual(assertJson(await exchange(car, valetOff, 'C23,0042', '23,0'), 200), ok(23));
  assertText(
    await api.withPassword('PUT', '/api/lock/DEMO', { form: { pin: '12a' } }),
    400,
    'Bad request: body/pin must match pattern "^[0-9]{1,12}$"',
  );
});

test('the car refusing (502 with its text) or not supporting (501) a command', async (t) => {
  const { car, api } = await setUp(t);
  const wrongPin = api.withPassword('DELETE', '/api/lock/DEMO', { form: { pin: '9' } });
  assertText(await exchange(car, wrongPin, 'C22,9', '22,1,Wrong PIN'), 502, 'Wrong PIN');
  const noText = api.withPassword('PUT', '/api/lock/DEMO');
  assertText(await exchange(car, noText, 'C20', '20,1'), 502, 'Command failed');
  const unsupported = api.withPassword('PUT', '/api/homelink/DEMO');
  assertText(await exchange(car, unsupported, 'C24', '24,2'), 501, 'Command not supported by the vehicle');
});

test('409 when the car is not connected, 504 when it does not answer in time', async (t) => {
  const h = await startServer(t, { settings: { 'http.command_timeout': 0.3 } });
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  for (const [method, path] of [
    ['PUT', '/api/lock/DEMO'],
    ['DELETE', '/api/charge/DEMO'],
    ['GET', '/api/features/DEMO'],
    ['PUT', '/api/reset/DEMO'],
  ] as const)
    assertText(await api.withPassword(method, path), 409, 'Vehicle not connected');
  const car = await h.connect('C', 'DEMO', 's1');
  await car.nextOf('Z');
  const started = Date.now();
  const res = await api.withPassword('PUT', '/api/lock/DEMO');
  assert.equal(await car.nextOf('C'), 'C20');
  assertText(res, 504, 'Vehicle did not answer in time');
  assert.ok(Date.now() - started >= 250);
});

test('PUT /api/charge: start, mode, current, mode and current; DELETE stops', async (t) => {
  const { car, api } = await setUp(t);
  assert.deepEqual(
    assertJson(await exchange(car, api.withPassword('PUT', '/api/charge/DEMO'), 'C11', '11,0'), 200),
    ok(11),
  );
  const mode = api.withPassword('PUT', '/api/charge/DEMO', { body: { mode: 'range' } });
  assert.deepEqual(assertJson(await exchange(car, mode, 'C10,3', '10,0'), 200), ok(10));
  const current = api.withPassword('PUT', '/api/charge/DEMO', { form: { current: '16' } });
  assert.deepEqual(assertJson(await exchange(car, current, 'C15,16', '15,0'), 200), ok(15));
  const both = api.withPassword('PUT', '/api/charge/DEMO', { body: { mode: 'performance', current: 32 } });
  assert.deepEqual(assertJson(await exchange(car, both, 'C16,4,32', '16,0'), 200), ok(16));
  const stop = api.withPassword('DELETE', '/api/charge/DEMO');
  assert.deepEqual(assertJson(await exchange(car, stop, 'C12', '12,0'), 200), ok(12));
  assert.equal((await api.withPassword('PUT', '/api/charge/DEMO', { body: { mode: 'fast' } })).status, 400);
  assert.equal((await api.withPassword('PUT', '/api/charge/DEMO', { body: { current: 0 } })).status, 400);
});

test('GET/PUT /api/features and /api/parameters (1/2, 3/4)', async (t) => {
  const { car, api } = await setUp(t);
  const features = api.withPassword('GET', '/api/features/DEMO');
  const list = await exchange(car, features, 'C1', '1,0,0,3,15', '1,0,1,3,0', '1,0,2,3,a,b');
  assert.deepEqual(assertJson(list, 200, ListReply('features')), {
    command: 1,
    features: ['15', '0', 'a,b'],
    result: 0,
  });
  const set = api.withPassword('PUT', '/api/features/DEMO', { form: { feature: '8', value: '1' } });
  assert.deepEqual(assertJson(await exchange(car, set, 'C2,8,1', '2,0,'), 200), ok(2, '', ['']));
  const params = api.withPassword('GET', '/api/parameters/DEMO');
  const plist = await exchange(car, params, 'C3', '3,0,0,2,+4412345', '3,0,1,2,');
  assert.deepEqual(assertJson(plist, 200, ListReply('parameters')), {
    command: 3,
    parameters: ['+4412345', ''],
    result: 0,
  });
  const setp = api.withPassword('PUT', '/api/parameters/DEMO', { body: { parameter: 2, value: 'K' } });
  const refused = await exchange(car, setp, 'C4,2,K', '4,1,Parameter key not supported');
  assertText(refused, 502, 'Parameter key not supported');
  assert.equal((await api.withPassword('PUT', '/api/features/DEMO', { body: { value: '1' } })).status, 400);
});

test('PUT /api/reset (5): 202 when the module restarts without a word; PUT /api/homelink (24)', async (t) => {
  const { car, api } = await setUp(t, 0.3);
  const reset = api.withPassword('PUT', '/api/reset/DEMO');
  assert.equal(await car.nextOf('C'), 'C5');
  assertText(await reset, 202, 'Reset sent');
  const homelink = api.withPassword('PUT', '/api/homelink/DEMO', { form: { button: '1' } });
  assert.deepEqual(assertJson(await exchange(car, homelink, 'C24,1', '24,0'), 200), ok(24));
});

test('GET /api/lock and /api/valet read the flags of the stored D', async (t) => {
  const { h, vehicle, api } = await setUp(t);
  assert.deepEqual(assertJson(await api.withPassword('GET', '/api/lock/DEMO'), 200, LockState), {});
  await h.store.saveMessage(vehicle, { ...stored('D', D_PAYLOAD), time: new Date() });
  const lock = assertJson(await api.withPassword('GET', '/api/lock/DEMO'), 200, LockState) as Record<
    string,
    unknown
  >;
  assert.equal(lock.carlocked, 8);
  assert.equal(typeof lock.m_msgtime_d, 'string');
  const valet = assertJson(await api.withPassword('GET', '/api/valet/DEMO'), 200, ValetState) as Record<
    string,
    unknown
  >;
  assert.equal(valet.valetmode, 0);
  assert.deepEqual(Object.keys(valet).sort(), ['m_msgage_d', 'm_msgtime_d', 'valetmode']);
});

test('POST /api/command: any command, every reply line, failures as data', async (t) => {
  const { h, vehicle, car, api } = await setUp(t);
  const stat = api.withPassword('POST', '/api/command/DEMO', { body: { command: 7, params: 'stat' } });
  const reply = await exchange(car, stat, 'C7,stat', '7,0,State: on\rSOC 80%');
  assert.deepEqual(assertJson(reply, 200, CommandLines), {
    command: 7,
    lines: [{ params: ['State: on\rSOC 80%'], result: 0, text: 'State: on\rSOC 80%' }],
    result: 0,
  });
  const vehicleSpecific = api.withPassword('POST', '/api/command/DEMO', {
    form: { command: '204', params: '1,2' },
  });
  const failed = await exchange(car, vehicleSpecific, 'C204,1,2', '204,1,busy');
  assert.deepEqual(assertJson(failed, 200), {
    command: 204,
    lines: [{ params: ['busy'], result: 1, text: 'busy' }],
    result: 1,
  });
  const bad = await api.withPassword('POST', '/api/command/DEMO', { body: { command: 20, params: ['abc'] } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /pin must be digits/);
  assert.equal(
    (await api.withPassword('POST', '/api/command/DEMO', { body: { command: 70000 } })).status,
    400,
  );
  // 31 and 32 are answered by the server from the stored history, even with the car offline.
  await car.close();
  await h.store.addHistory(vehicle, {
    type: 'RT-X',
    recno: 1,
    timestamp: new Date('2024-05-01T10:00:00Z'),
    data: Buffer.from('d'),
    expires: new Date(Date.now() + 60_000),
  });
  const history = await api.withPassword('POST', '/api/command/DEMO', {
    body: { command: 32, params: ['RT-X'] },
  });
  const lines = (assertJson(history, 200, CommandLines) as { lines: { text: string }[] }).lines;
  assert.deepEqual(
    lines.map((l) => l.text),
    ['1,1,RT-X,2024-05-01 10:00:00,1,d'],
  );
  assertText(
    await api.withPassword('POST', '/api/command/DEMO', { body: { command: 6 } }),
    409,
    'Vehicle not connected',
  );
});
