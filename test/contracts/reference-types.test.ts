import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpsWire, integer, json, OWNER, object, sceneWithCar, string, VEHICLE } from './wire.js';

/**
 * The JSON types of the rows the reference reads from its database, as the reference itself gives
 * them (its driver hands integer columns and COUNTs over as numbers, a SUM as a decimal string):
 * /api/protocol `m_paranoid` is a number; /api/historical `distinctrecs` and `totalrecs` are numbers
 * (`totalsize` a string); /api/historical/<id>/<type> `h_recordnumber` is a number. Docs:
 * docs/http-api.md "Conventions" and "Clients we test against".
 */

test('/api/protocol: m_paranoid is a JSON number (0, and 1 for an encrypted message), the rest strings', async (t) => {
  const s = await sceneWithCar(t);
  s.car.send('E', 'Tparanoid-token');
  s.car.send('E', 'MKsecret-bytes');
  const wire = httpsWire(s, false);
  // The car's ping answer tells us both were handled (messages of one connection are handled in order).
  s.car.send('A');
  await s.car.nextOf('a');
  await s.h.store.flush();
  const rows = json(await wire.send(`/api/protocol/${VEHICLE}`, { query: OWNER })) as Record<
    string,
    unknown
  >[];
  const byCode = new Map(rows.map((r) => [r.m_code, r]));
  for (const row of rows) {
    assert.deepEqual(Object.keys(row).sort(), ['m_code', 'm_msg', 'm_msgtime', 'm_paranoid', 'm_ptoken']);
    for (const k of ['m_code', 'm_msg', 'm_msgtime', 'm_ptoken']) string(row, k);
  }
  assert.equal(integer(byCode.get('S')!, 'm_paranoid'), 0);
  assert.equal(integer(byCode.get('K')!, 'm_paranoid'), 1);
  assert.equal(byCode.get('K')!.m_ptoken, 'paranoid-token');
});

test('/api/historical: distinctrecs and totalrecs numbers; records: h_recordnumber a number on every streamed page', async (t) => {
  const s = await sceneWithCar(t);
  // 150 records (the stream reads 100 a page), numbered 0..149, as the car sends them (h, acknowledged).
  for (let n = 0; n < 150; n++) s.car.send('h', `${n + 1},-60,RT-BAT-C,${n},86400,${n},4.1`);
  for (let n = 0; n < 150; n++) await s.car.nextOf('h');
  await s.h.store.flush();
  const wire = httpsWire(s, false);

  const summary = json(await wire.send(`/api/historical/${VEHICLE}`, { query: OWNER })) as Record<
    string,
    unknown
  >[];
  const bat = object(summary.find((r) => r.h_recordtype === 'RT-BAT-C'));
  assert.equal(integer(bat, 'distinctrecs'), 150);
  assert.equal(integer(bat, 'totalrecs'), 150);
  assert.match(string(bat, 'totalsize'), /^\d+$/);
  for (const k of ['h_recordtype', 'first', 'last']) string(bat, k);

  const reply = await wire.send(`/api/historical/${VEHICLE}/RT-BAT-C`, { query: OWNER });
  assert.equal(reply.headers['transfer-encoding'], 'chunked', 'still streamed');
  const records = json(reply) as Record<string, unknown>[];
  assert.equal(records.length, 150);
  assert.deepEqual(
    records.map((r) => integer(r, 'h_recordnumber')),
    Array.from({ length: 150 }, (_, n) => n),
  );
  for (const r of records) {
    string(r, 'h_timestamp');
    string(r, 'h_data');
  }
  assert.ok(reply.text.includes('"h_recordnumber":149'), 'a bare number in the body');
});
