import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';

test('a command reaches the car and only the requester gets the reply', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app1 = await h.connect('A', 'DEMO1', 's1');
  const app2 = await h.connect('A', 'DEMO1', 's1');
  await app1.nextOf('Z');
  await app2.nextOf('Z');
  const reply = app1.client.command(7, ['stat']);
  assert.equal(await car.nextOf('C'), 'C7,stat');
  car.send('c', '7,0,State: Connected\rOK');
  const r = await reply;
  assert.equal(r.result, 0);
  assert.equal(r.lines[0]!.text, 'State: Connected\rOK');
  // app2 must not see it: the next thing it sees is a later broadcast.
  car.send('S', '50,K');
  assert.equal(await app2.nextOf('S'), 'S50,K');
  assert.ok(!app2.pending().some((m) => m.startsWith('c')));
});

test('replies go to requesters in FIFO order; multi-line 1 and 3 stay with their requester', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app1 = await h.connect('A', 'DEMO1', 's1');
  const app2 = await h.connect('A', 'DEMO1', 's1');
  const first = app1.client.command(1);
  assert.equal(await car.nextOf('C'), 'C1');
  const second = app2.client.command(3);
  assert.equal(await car.nextOf('C'), 'C3');
  for (let n = 0; n < 32; n++) car.send('c', `1,0,${n},32,value${n}`);
  for (let n = 0; n < 32; n++) car.send('c', `3,0,${n},32,p${n}`);
  const [r1, r2] = await Promise.all([first, second]);
  assert.equal(r1.lines.length, 32);
  assert.equal(r1.lines[31]!.params[2], 'value31');
  assert.equal(r2.lines.length, 32);
  assert.equal(r2.lines[0]!.params[2], 'p0');
});

test('an error reply ends a multi-line command at once', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const features = app.client.command(1);
  await car.nextOf('C');
  car.send('c', '1,1,not now');
  const r = await features;
  assert.equal(r.result, 1);
  const second = app.client.command(6);
  await car.nextOf('C');
  car.send('c', '6,0');
  assert.equal((await second).result, 0);
});

test('an unsolicited reply is broadcast to every app and batch client', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const batch = await h.connect('B', 'DEMO1', 's1');
  car.send('c', '41,0,Your balance is 5.00');
  assert.equal(await app.nextOf('c'), 'c41,0,Your balance is 5.00');
  assert.equal(await batch.nextOf('c'), 'c41,0,Your balance is 5.00');
});

test('a command to an offline car is answered with an error instead of silence', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const r = await app.client.command(20, ['1234']);
  assert.equal(r.result, 1);
  assert.equal(r.lines[0]!.text, 'vehicle not connected');
});

test('requesters still waiting when the car disconnects get an error', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const pending = app.client.command(18);
  await car.nextOf('C');
  await car.close();
  const r = await pending;
  assert.deepEqual([r.result, r.lines[0]!.text], [1, 'vehicle disconnected']);
});

test('a reply for a requester that has gone is dropped and the queue moves on', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const gone = await h.connect('A', 'DEMO1', 's1');
  const stays = await h.connect('A', 'DEMO1', 's1');
  void gone.client.command(7, ['one']).catch(() => {});
  await car.nextOf('C');
  const second = stays.client.command(7, ['two']);
  await car.nextOf('C');
  await gone.close();
  car.send('c', '7,0,one');
  car.send('c', '7,0,two');
  const r = await second;
  assert.equal(r.lines[0]!.text, 'two');
});

test('commands too long for the car are refused', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const r = await app.client.command(7, ['x'.repeat(900)]);
  assert.deepEqual([r.result, r.lines[0]!.text], [1, 'command too long for the car']);
});

test('commands 30, 31 and 32 are answered by the server, car online or not', async (t) => {
  const h = await startServer(t, { settings: { 'history.utilisation_flush': 3600 } });
  await h.addVehicle('DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  assert.equal((await app.client.command(30)).lines[0]!.text, 'No GPRS utilisation data available');
  assert.equal((await app.client.command(31)).lines[0]!.text, 'No historical data available');
  assert.equal((await app.client.command(32, ['D'])).lines[0]!.text, 'No historical data available');

  const car = await h.connect('C', 'DEMO1', 's1');
  car.send('D', '1,2,3');
  car.send('D', '4,5,6');
  car.send('h', '1,0,*-LOG-Trip,0,3600,12.5km,3.1kWh');
  await car.nextOf('h');
  await h.server.hub.utilisation.flush();

  const usage = await app.client.command(30);
  assert.equal(usage.lines.length, 1);
  const today = new Date().toISOString().slice(0, 10);
  const [k, n, day, carRx, carTx, appRx, appTx] = usage.lines[0]!.params;
  assert.deepEqual([k, n, day], ['1', '1', today]);
  assert.ok(Number(carRx) > 0 && Number(carTx) > 0 && Number(appRx) > 0 && Number(appTx) > 0);

  const summary = await app.client.command(31);
  assert.deepEqual(
    summary.lines.map((l) => l.params[2]),
    ['*-LOG-Trip', 'D'],
  );
  assert.deepEqual(
    summary.lines.map((l) => [l.params[0], l.params[1]]),
    [
      ['1', '2'],
      ['2', '2'],
    ],
  );
  const dRow = summary.lines[1]!.params;
  // History is keyed by type, record number and second, as in the reference: two D in one second are one row.
  assert.equal(dRow[4], '1');
  assert.match(dRow[6]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

  const records = await app.client.command(32, ['D']);
  assert.deepEqual(
    records.lines.map((l) => l.text.split(',').slice(5).join(',')),
    ['4,5,6'],
  );
  const trip = await app.client.command(32, ['*-LOG-Trip']);
  assert.equal(trip.lines[0]!.text.split(',').slice(5).join(','), '12.5km,3.1kWh');
  const later = await app.client.command(32, ['D', '2999-01-01 00:00:00']);
  assert.equal(later.result, 1);
});

test('the server can send a command itself (for the HTTP API) and gets only its own reply', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const hub = h.server.hub;
  const { CommandError } = await import('../../src/server/server-requests.js');
  await assert.rejects(
    hub.command(v, 20, ['1234'], 1000),
    (e: unknown) => e instanceof CommandError && e.reason === 'offline',
  );
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  const pending = hub.command(v, 3, [], 5000);
  assert.equal(await car.nextOf('C'), 'C3');
  for (let n = 0; n < 32; n++) car.send('c', `3,0,${n},32,p${n}`);
  const lines = await pending;
  assert.equal(lines.length, 32);
  assert.equal(lines[31]!.toString(), '3,0,31,32,p31');
  const silent = hub.command(v, 18, [], 200);
  await assert.rejects(silent, (e: unknown) => e instanceof CommandError && e.reason === 'timeout');
  assert.equal(
    (await hub.command(v, 30, [], 1000))[0]!.toString(),
    '30,1,No GPRS utilisation data available',
  );
  car.send('S', '1');
  await app.nextOf('S');
  assert.ok(!app.pending().some((m) => m.startsWith('c3')));
});

test('a command the car never answers does not shift later replies to the wrong client', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app1 = await h.connect('A', 'DEMO1', 's1');
  const app2 = await h.connect('A', 'DEMO1', 's1');
  void app1.client.command(18, [], { timeoutMs: 100 }).catch(() => {});
  await car.nextOf('C');
  const seven = app2.client.command(7, ['stat']);
  await car.nextOf('C');
  car.send('c', '7,0,ok');
  assert.equal((await seven).lines[0]!.text, 'ok');
});
