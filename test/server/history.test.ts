import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';

test('h records are stored, then acked; the ack means the record survives a restart', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await car.next();
  car.send('h', '17,-5,*-LOG-Trip,0,31536000,example;data,with,commas');
  car.send('h', '18,0,RT-BAT-C,3,86400,4.1,4.2');
  assert.equal(await car.next(), 'h17');
  assert.equal(await car.next(), 'h18');
  await car.close();
  await h.restart();
  const rows = await h.store.historyRecords(v, '*-LOG-Trip');
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.data.toString(), 'example;data,with,commas');
  const age = Date.now() - rows[0]!.timestamp.getTime();
  assert.ok(age >= 4000 && age < 8000, `record time is 5 s in the past (got ${age} ms)`);
  // Expiry = record time + lifetime (not the reference's now + lifetime - timediff).
  assert.equal(rows[0]!.expires.getTime() - rows[0]!.timestamp.getTime(), 31536000 * 1000);
  const bat = await h.store.historyRecords(v, 'RT-BAT-C');
  assert.equal(bat[0]!.recno, 3);
});

test('a malformed h is acked (the car would resend it for ever) and not stored', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await car.next();
  car.send('h', '19,-5,onlytype');
  assert.equal(await car.next(), 'h19');
  assert.deepEqual(await h.store.historySummary(v), []);
});

test('H records are stored without an ack', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await car.next();
  car.send('H', '*-OVM-DebugCrash,0,86400,crash,data');
  car.send('A');
  assert.equal(await car.next(), 'a');
  await h.store.flush();
  const rows = await h.store.historyRecords(v, '*-OVM-DebugCrash');
  assert.equal(rows[0]!.data.toString(), 'crash,data');
});

test('by default a stored car message is kept a day as history of its code', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  car.send('D', '1,2,3');
  await app.nextOf('D');
  await h.store.flush();
  const [row] = await h.store.historyRecords(v, 'D');
  assert.equal(row?.data.toString(), '1,2,3');
  const keptS = (row!.expires.getTime() - row!.timestamp.getTime()) / 1000;
  assert.ok(Math.abs(keptS - 86_400) <= 1, `kept ${keptS} s`);
});

test('history.log_messages 0: car messages are not kept as history of their code', async (t) => {
  // The operator's off switch itself; the default is the test above.
  const h = await startServer(t, { settings: { 'history.log_messages': 0 } });
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const app = await h.connect('A', 'DEMO1', 's1');
  car.send('D', '1,2,3');
  await app.nextOf('D');
  assert.deepEqual(await h.store.historySummary(v), []);
  assert.equal((await h.store.getMessages(v))[0]!.payload.toString(), '1,2,3');
});

test('expired history is purged in batches until none is left', async (t) => {
  const h = await startServer(t, { settings: { 'history.purge_batch': 100 } });
  const v = await h.addVehicle('DEMO1', 's1');
  const past = Date.now() - 10_000;
  await Promise.all(
    Array.from({ length: 450 }, (_, i) =>
      h.store.addHistory(v, {
        type: 'T',
        recno: i,
        timestamp: new Date(past),
        data: Buffer.from('x'),
        expires: new Date(past + 1000),
      }),
    ),
  );
  await h.store.addHistory(v, {
    type: 'K',
    recno: 0,
    timestamp: new Date(),
    data: Buffer.from('keep'),
    expires: new Date(Date.now() + 60_000),
  });
  const { Housekeeping } = await import('../../src/server/housekeeping.js');
  const { AuthThrottle } = await import('../../src/server/auth-throttle.js');
  const hk = new Housekeeping(h.server.hub, new AuthThrottle(1, 1), () => {});
  assert.equal(await hk.purge(), 450);
  assert.deepEqual(
    (await h.store.historySummary(v)).map((r) => r.type),
    ['K'],
  );
});

test('recorded samples and periods older than history.keep_days are purged in batches', async (t) => {
  const h = await startServer(t, { settings: { 'history.purge_batch': 100, 'history.keep_days': 30 } });
  const v = await h.addVehicle('DEMO1', 's1');
  const day = 86_400_000;
  const old = Date.now() - 31 * day;
  const sample = (at: number) => ({ ref: v, sample: { at, mode: 'idle' as const, soc: 50 } });
  const period = (at: number) => ({
    ref: v,
    period: { kind: 'park' as const, startAt: at, endAt: at + 60_000, units: 'km' as const },
  });
  await h.store.saveRecording({
    samples: [...Array.from({ length: 250 }, (_, i) => sample(old + i * 1000)), sample(Date.now())],
    periods: [period(old), period(Date.now() - day)],
    states: [],
  });
  const { Housekeeping } = await import('../../src/server/housekeeping.js');
  const { AuthThrottle } = await import('../../src/server/auth-throttle.js');
  const hk = new Housekeeping(h.server.hub, new AuthThrottle(1, 1), () => {});
  assert.equal(await hk.purge(), 251);
  const left = await h.store.listSamples(v, { from: new Date(0), to: new Date(Date.now() + day), limit: 10 });
  assert.equal(left.length, 1);
  assert.equal((await h.store.listPeriods(v, 'park', { limit: 10 })).length, 1);
});

test('binary and UTF-8 payloads are stored and replayed byte for byte', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  const bytes = Buffer.from([0x31, 0x2c, 0xc3, 0xa9, 0xff, 0x00, 0x7f]);
  car.client.send('X', bytes);
  car.send('A');
  await car.nextOf('a');
  const app = await h.connect('A', 'DEMO1', 's1');
  await app.next();
  const m = await app.nextMessage();
  assert.equal(m.code, 'X');
  assert.deepEqual(m.payload, bytes);
});

test('h numbers written as "-0" or "+3" are still numbers, as they were for the reference', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await car.next();
  car.send('h', '21,-0,*-LOG-Trip,+3,3600,fresh,record');
  assert.equal(await car.next(), 'h21');
  const rows = await h.store.historyRecords(v, '*-LOG-Trip');
  assert.deepEqual(
    rows.map((r) => [r.recno, r.data.toString()]),
    [[3, 'fresh,record']],
  );
});
