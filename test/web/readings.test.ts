import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chargeView } from '../../src/http/views/charge.js';
import { locationView } from '../../src/http/views/location.js';
import { statusView } from '../../src/http/views/status.js';
import { tpmsView } from '../../src/http/views/tpms.js';
import { readings } from '../../web/src/readings.js';
import { D_PAYLOAD, L_PAYLOAD, NOW, S_PAYLOAD, stored, W_PAYLOAD, Y_PAYLOAD } from '../http/fixtures.js';

/**
 * What the vehicle page shows, from the /api views of real messages, in the units WIRE.md §3.2
 * gives: every value the dashboard converts is checked here.
 */
const fromMessages = (...codes: [string, string][]) => {
  const messages = codes.map(([code, payload]) => stored(code, payload));
  return readings(
    statusView(messages, NOW),
    chargeView(messages, NOW),
    locationView(messages, NOW),
    tpmsView(messages, NOW),
  );
};

test('the vehicle page in display units: S field 12 in tenths of a kWh, D odometer and trip in tenths', () => {
  const r = fromMessages(['S', S_PAYLOAD], ['D', D_PAYLOAD], ['L', L_PAYLOAD], ['Y', Y_PAYLOAD]);
  assert.equal(r.soc, 80.5);
  assert.equal(r.units, 'km');
  assert.equal(r.chargeEnergyKwh, 12.5, 'S field 12 is 125: 12.5 kWh (the page showed 125)');
  assert.equal(r.chargeLimitA, 32);
  assert.equal(r.chargeCurrentA, 16);
  assert.equal(r.lineVoltage, 230);
  assert.equal(r.chargePowerKw, 7.2);
  assert.equal(r.minutesToFull, 60);
  assert.equal(r.socLimit, 90);
  assert.equal(r.rangeLimit, 300);
  assert.equal(r.estimatedRange, 200);
  assert.equal(r.idealRange, 250);
  assert.equal(r.soh, 98);
  assert.equal(r.odometer, 4567.89, 'D field 8 is 45678.9 tenths');
  assert.equal(r.trip, 1.23, 'D field 7 is 12.3 tenths');
  assert.equal(r.v12, 12.6);
  assert.equal(r.locked, true);
  assert.equal(r.valet, false);
  assert.equal(r.charging, true);
  assert.deepEqual(r.temperatures, [
    ['Ambient', 15],
    ['Cabin', 21],
    ['Battery', 20],
    ['Motor', 35],
    ['Inverter', 30],
    ['Charger', 40],
  ]);
  assert.equal(r.lat, 51.501364);
  assert.equal(r.lon, -0.14189);
  assert.equal(r.speed, 48);
  assert.equal(r.power, 15.5);
  assert.deepEqual(
    r.tyres.map((w) => [w.wheel, w.kpa, w.celsius, w.alert]),
    [
      ['fl', 230, 20, false],
      ['fr', 231, 21, false],
      ['rl', 232, 22, true],
      ['rr', 233, 23, false],
    ],
  );
});

test('W pressures are psi: shown in kPa; values never sent stay unknown, not "Unlocked" or "Closed"', () => {
  const w = fromMessages(['W', W_PAYLOAD]);
  assert.deepEqual(
    w.tyres.map((t) => [t.wheel, Math.round(t.kpa * 10) / 10]),
    [
      ['fl', 229.6],
      ['fr', 228.2],
      ['rl', 230.3],
      ['rr', 228.9],
    ],
  );
  const none = fromMessages();
  assert.equal(none.locked, undefined);
  assert.equal(none.valet, undefined);
  assert.ok(none.doors.every(([, open]) => open === undefined));
  assert.ok(Number.isNaN(none.soc));
  assert.ok(Number.isNaN(none.chargeEnergyKwh));
});
