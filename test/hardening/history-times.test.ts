import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';

/**
 * Found by the fuzzer: an h or H record whose time or expiry no database can hold (a timediff of
 * -10^13 s, a lifetime of centuries) made the store throw, so the car never got its ack and would
 * resend the record for ever. Such a record is now treated like any malformed one.
 */
test('history records with impossible times are acked and ignored, not a handler error', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await car.next();
  car.send('h', '20,-9999999999999,*-LOG-Trip,0,86400,before any date');
  car.send('h', '21,-99999999999,*-LOG-Trip,0,86400,three thousand years ago');
  car.send('h', '22,0,*-LOG-Trip,0,999999999999,expires after year 9999');
  car.send('H', '*-LOG-Trip,0,999999999999,expires after year 9999');
  car.send('h', '23,-5,*-LOG-Trip,1,86400,fine');
  for (const ack of ['h20', 'h21', 'h22', 'h23']) assert.equal(await car.next(), ack);
  const rows = await h.store.historyRecords(v, '*-LOG-Trip');
  assert.deepEqual(
    rows.map((r) => r.data.toString()),
    ['fine'],
  );
  assert.equal(h.logs.filter((l) => l.includes('"level":50')).length, 0, 'no error-level log line');
  assert.equal(h.logs.filter((l) => l.includes('time out of range')).length, 4);
});
