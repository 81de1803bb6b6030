import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY_TEXT } from '../../src/server/command-router.js';
import { startServer } from '../helpers/harness.js';
import type { TestClient } from '../helpers/test-client.js';
import { Api } from '../http/api-client.js';

/**
 * Commands awaiting a car's reply are bounded (Hardening II, item 1): an app that floods a car that
 * never answers used to make the server remember every command until the car replied. All with the
 * default caps (32 per app connection, 128 per car) unless a test says otherwise.
 */

const PER_APP = 32;
const PER_CAR = 128;

/** Takes `n` messages of `code` from the client, in order. */
async function take(client: TestClient, code: string, n: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) out.push(await client.nextOf(code));
  return out;
}

/** Pings and returns every message received before the `a`: all the client sent was handled by then. */
async function pingCollect(client: TestClient): Promise<string[]> {
  client.send('A');
  const out: string[] = [];
  for (;;) {
    const m = await client.next();
    if (m === 'a') return out;
    out.push(m);
  }
}

/** A car that answers every C18 at once. */
function answer18(car: TestClient): void {
  car.client.on('message', (m) => {
    if (m.code === 'C' && m.text.startsWith('18')) car.send('c', '18,0,ok');
  });
}

test('an app over its cap of commands awaiting a reply is answered busy at once; nothing is queued', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  for (let n = 0; n < PER_APP + 8; n++) app.send('C', `7,cmd${n}`);
  // The first 32 reach the car; the other 8 are answered at once, in order, and never reach it.
  const busy = await take(app, 'c', 8);
  assert.deepEqual(
    busy,
    Array.from({ length: 8 }, () => `c7,1,${BUSY_TEXT}`),
  );
  const atCar = await take(car, 'C', PER_APP);
  assert.equal(atCar.at(-1), `C7,cmd${PER_APP - 1}`);
  // An answer frees a place: the next command reaches the car.
  car.send('c', '7,0,first');
  assert.equal(await app.nextOf('c'), 'c7,0,first');
  app.send('C', '7,again');
  assert.equal(await car.nextOf('C'), 'C7,again');
  // A refused command is logged once per connection, not once per command.
  app.send('C', '7,over');
  assert.equal(await app.nextOf('c'), `c7,1,${BUSY_TEXT}`);
  assert.equal(h.logs.filter((l) => l.includes('limits.max_pending_commands_per_app')).length, 1);
  assert.deepEqual(car.pending(), []);
});

test('a car over its cap refuses commands from every app and the HTTP API; a closed app frees its places', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const apps: TestClient[] = [];
  for (let i = 0; i < PER_CAR / PER_APP; i++) apps.push(await h.connect('A', 'DEMO1', 's1'));
  // One app after the other, so the car's queue holds app 0's commands first.
  for (const app of apps) {
    for (let n = 0; n < PER_APP; n++) app.send('C', `7,${n}`);
    await take(car, 'C', PER_APP);
  }
  const late = await h.connect('A', 'DEMO1', 's1');
  late.send('C', '18');
  assert.equal(await late.nextOf('c'), `c18,1,${BUSY_TEXT}`);
  assert.equal(h.logs.filter((l) => l.includes('limits.max_pending_commands_per_car')).length, 1);
  const api = new Api(h);
  const refused = await api.withPassword('POST', '/api/command/DEMO1', { body: { command: 18 } });
  assert.deepEqual([refused.status, refused.text], [503, "Too many commands awaiting the vehicle's reply\n"]);
  // One app leaves (the car hears Z4 when the server has handled it): its 32 commands stop
  // counting, so the late app's command now reaches the car.
  await apps[0]!.close();
  while ((await car.nextOf('Z')) !== 'Z4') {}
  late.send('C', '18,again');
  assert.equal(await car.nextOf('C'), 'C18,again');
  // The car answers the gone app's 32 commands first: dropped, not handed to app 2.
  for (let n = 0; n < PER_APP; n++) car.send('c', `7,0,for the gone app ${n}`);
  car.send('c', '7,0,for app 2');
  assert.equal(await apps[1]!.nextOf('c'), 'c7,0,for app 2');
});

test('commands expire after timeouts.command and stop counting (timeout set low: this test is about it)', async (t) => {
  const h = await startServer(t, { settings: { 'timeouts.command': 0.3 } });
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  answer18(car);
  for (let n = 0; n <= PER_APP; n++) app.send('C', `7,${n}`);
  assert.equal(await app.nextOf('c'), `c7,1,${BUSY_TEXT}`);
  await take(car, 'C', PER_APP);
  // Nothing announces an expiry (entries are dropped when next looked at), so poll.
  const start = Date.now();
  for (;;) {
    const r = await app.client.command(18);
    if (r.result === 0) break;
    assert.equal(r.lines[0]!.text, BUSY_TEXT);
    assert.ok(Date.now() - start < 5000, 'the commands never expired');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A reply after expiry has nobody waiting: it goes to every app, as an unsolicited reply does.
  car.send('c', '7,0,late');
  while ((await app.nextOf('c')) !== 'c7,0,late') {}
});

test('HTTP-issued commands are capped per vehicle on the node like one app', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const api = new Api(h);
  const cookie = await api.login();
  const calls = Array.from({ length: PER_APP + 1 }, (_, n) =>
    api.call('POST', '/api/command/DEMO1', { cookie, body: { command: 7, params: [String(n)] } }),
  );
  // One of them is refused at once, while the others still wait for the car.
  const first = await Promise.race(calls);
  assert.deepEqual([first.status, first.text], [503, "Too many commands awaiting the vehicle's reply\n"]);
  const atCar = await take(car, 'C', PER_APP);
  for (const c of atCar) car.send('c', `7,0,${c.slice(3)}`);
  const statuses = (await Promise.all(calls)).map((r) => r.status).sort();
  assert.deepEqual(statuses, [...Array(PER_APP).fill(200), 503]);
});

test('groups per connection are capped: an app past the cap is not subscribed, a car past it not stored', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('CAR1', 's1');
  await h.addVehicle('CAR2', 's2');
  const car1 = await h.connect('C', 'CAR1', 's1');
  const car2 = await h.connect('C', 'CAR2', 's2');
  const app = await h.connect('A', 'CAR1', 's1');
  const batch = await h.connect('B', 'CAR1', 's1');
  // The app subscribes to 40 groups: only the first 32 count.
  for (let g = 0; g < 40; g++) app.send('G', `GRP${g}`);
  await pingCollect(app);
  // Each car posts to 20 of them (under its own cap), so all 40 groups exist; each car's last
  // post marks the end of its posts (a car's messages keep their order).
  for (let g = 0; g < 20; g++) car1.send('g', `GRP${g},pos${g}`);
  for (let g = 20; g < 40; g++) car2.send('g', `GRP${g},pos${g}`);
  car1.send('g', 'GRP0,end');
  car2.send('g', 'GRP20,end');
  const seen: string[] = [];
  const ends = new Set<string>();
  while (ends.size < 2) {
    const m = await app.nextOf('g');
    if (m.endsWith(',end')) ends.add(m);
    else seen.push(m);
  }
  assert.equal(seen.length, 32);
  assert.ok(!seen.some((m) => /GRP3[2-9],/.test(m)));
  // A car past its cap: car1 is in 20 groups, so of 20 more only 12 are stored.
  for (let g = 20; g < 40; g++) car1.send('g', `MORE${g},x`);
  await pingCollect(car1);
  for (let g = 20; g < 40; g++) batch.send('G', `MORE${g}`);
  const stored = (await pingCollect(batch)).filter((m) => m.startsWith('gCAR1,MORE'));
  assert.equal(stored.length, 12);
  assert.ok(h.logs.some((l) => l.includes('limits.max_groups_per_connection')));
});

test('a group name longer than limits.max_group_name_length (64) is neither subscribed to nor stored', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('CAR1', 's1');
  const car = await h.connect('C', 'CAR1', 's1');
  const app = await h.connect('A', 'CAR1', 's1');
  const batch = await h.connect('B', 'CAR1', 's1');
  const longest = 'L'.repeat(64);
  const tooLong = 'T'.repeat(65);
  const huge = 'H'.repeat(40_000);
  for (const name of [huge, tooLong, longest]) app.send('G', name);
  await pingCollect(app);
  // The car posts to all three; only the group with a name within the limit reaches the app (a
  // car's messages keep their order, so a relay of the others would come first).
  for (const name of [huge, tooLong, longest]) car.send('g', `${name},pos`);
  assert.equal(await app.nextOf('g'), `gCAR1,${longest},pos`);
  // Nothing was stored under the long names either.
  batch.send('G', tooLong);
  batch.send('G', huge);
  assert.deepEqual(
    (await pingCollect(batch)).filter((m) => m.startsWith('g')),
    [],
  );
  const ignored = h.logs.filter((l) => l.includes('limits.max_group_name_length'));
  assert.equal(ignored.length, 4);
  assert.match(ignored[0]!, /"length":40000,"limit":64/);
});

test('an app making warnings at will writes a bounded number of warning lines', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  // Only cars send `h`: each one is an ignored message with a warning.
  for (let n = 0; n < 500; n++) app.send('h', `${n},0,X,0,1,data`);
  await pingCollect(app);
  const first = h.logs.find((l) => l.includes('"client":"A owner/DEMO1"') && l.includes('ignored message'));
  const conn = /"conn":"(\d+)"/.exec(first ?? '')?.[1];
  assert.ok(conn, 'no warning at all');
  const mine = () => h.logs.filter((l) => l.includes(`"conn":"${conn}"`) && l.includes('"level":40'));
  assert.equal(mine().filter((l) => l.includes('ignored message')).length, 20);
  assert.equal(
    mine().filter((l) => l.includes('further warnings from this connection suppressed')).length,
    1,
  );
  assert.equal(mine().length, 21);
  // When the connection ends, one line says how many were left out.
  await app.close();
  const summary = await waitFor(() => mine().find((l) => l.includes('warnings suppressed"')));
  assert.match(summary, /"suppressedWarnings":480/);
});

async function waitFor(find: () => string | undefined, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error('log line never written');
    await new Promise((r) => setTimeout(r, 10));
  }
}
