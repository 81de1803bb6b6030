import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyCarMessage, type CarState } from '../../src/integrations/abrp/car-state.js';
import { buildTelemetry, isActive } from '../../src/integrations/abrp/telemetry.js';
import { KM_LINES, MILES_LINES } from '../protocol/v3/fixtures.js';

const AT = Date.UTC(2026, 7, 22, 10, 0, 0);

/** The state after the car sent these lines (code first, as on the wire), in order. */
function reported(...lines: string[]): CarState {
  let state: CarState | undefined;
  lines.forEach((line, i) => {
    state = applyCarMessage(state, line[0]!, Buffer.from(line.slice(1), 'latin1'), AT + i * 1000);
  });
  assert.ok(state);
  return state;
}

/** With one field of a line replaced (1-based, as WIRE.md §3.2 counts). */
function withField(line: string, field: number, value: string): string {
  const parts = line.slice(1).split(',');
  parts[field - 1] = value;
  return `${line[0]}${parts.join(',')}`;
}

// The same charging car (test/protocol/v3/fixtures.ts: its metrics, and the v2 lines its module
// sends for them) in a kilometre and a mile configuration: ABRP must get the same telemetry.
describe('ABRP telemetry from the v2 messages of a charging car', () => {
  test('kilometres: every field from S, D and L, in ABRP units', () => {
    const tlm = buildTelemetry(reported(KM_LINES.S, KM_LINES.D, KM_LINES.L));
    assert.deepEqual(tlm, {
      utc: (AT + 2000) / 1000, // the newest report
      soc: 80.5, // S1
      power: -7.2, // L10, kW, negative while charging (v.b.power -7.2)
      speed: 0, // L7
      lat: 51.503364, // L1
      lon: -0.119519, // L2
      elevation: 15, // L4, metres
      heading: 270, // L3
      is_charging: 1, // S5 "charging"
      is_dcfc: 0, // 7.2 kW is AC
      is_parked: 1, // D10 park time 3600 s
      ext_temp: 18, // D11
      batt_temp: 22, // D6
      cabin_temp: 21, // D21
      voltage: 390.5, // S33
      current: -18.4, // S37
      odometer: 45678.9, // D8 456789 tenths of a km
      est_battery_range: 250, // S8 km
      soh: 98, // S34
      capacity: 58, // S41 kWh
      kwh_charged: 5.2, // S12 52 tenths of a kWh
    });
  });

  test('miles: distances and speeds come out in km', () => {
    const km = buildTelemetry(reported(KM_LINES.S, KM_LINES.D, KM_LINES.L));
    const miles = buildTelemetry(reported(MILES_LINES.S, MILES_LINES.D, MILES_LINES.L));
    assert.ok(miles && km);
    // D8 283834 tenths of a mile = 28383.4 mi = 45678.65 km (the module's miles of 45678.9 km, truncated).
    assert.equal(miles.odometer, 45678.7);
    // S8 155 mi = 249.45 km (the module sends whole miles of 250.2 km, truncated).
    assert.equal(miles.est_battery_range, 249.4);
    // Everything else is unit-free, or km/h and kW in both configurations.
    const { odometer: _o1, est_battery_range: _r1, ...kmRest } = km;
    const { odometer: _o2, est_battery_range: _r2, ...milesRest } = miles;
    assert.deepEqual(milesRest, kmRest);

    // L7 is in the car's units; D9 is km/h in both (the module sends v.p.speed unconverted).
    const driving = reported(
      MILES_LINES.S,
      withField(MILES_LINES.D, 10, '0'),
      withField(MILES_LINES.L, 7, '37.3'),
    );
    assert.equal(buildTelemetry(driving)?.speed, 60);
    const noGpsSpeed = reported(KM_LINES.S, withField(KM_LINES.D, 9, '88'));
    assert.equal(buildTelemetry(noGpsSpeed)?.speed, 88);
  });

  test('DC fast charging: above 22 kW into the battery', () => {
    const fast = reported(KM_LINES.S, KM_LINES.D, withField(KM_LINES.L, 10, '-48.250'));
    assert.equal(buildTelemetry(fast)?.is_dcfc, 1);
    assert.equal(buildTelemetry(fast)?.power, -48.25);
    // Without an L, the charge power of S32 (positive while charging) stands in for the battery power.
    const onlyStatus = reported(withField(KM_LINES.S, 32, '50.00'));
    assert.equal(buildTelemetry(onlyStatus)?.power, -50);
    assert.equal(buildTelemetry(onlyStatus)?.is_dcfc, 1);
  });

  test('a driving car: not charging, not parked, no charged energy; active', () => {
    const s = withField(KM_LINES.S, 5, 'stopped');
    const d = withField(withField(KM_LINES.D, 10, '0'), 9, '72');
    const l = withField(withField(KM_LINES.L, 7, '72.0'), 10, '18.500');
    const state = reported(s, d, l);
    const tlm = buildTelemetry(state);
    assert.equal(tlm?.is_charging, 0);
    assert.equal(tlm?.is_dcfc, 0);
    assert.equal(tlm?.is_parked, 0);
    assert.equal(tlm?.speed, 72);
    assert.equal(tlm?.power, 18.5, 'positive: power out of the battery');
    assert.equal(tlm && 'kwh_charged' in tlm, false);
    assert.equal(isActive(state), true);
    assert.equal(isActive(reported(s, KM_LINES.D)), false, 'parked and not charging');
    assert.equal(isActive(reported(KM_LINES.S, KM_LINES.D)), true, 'charging');
  });

  test('unknown or stale readings are left out, not sent as 0', () => {
    // No SOC yet: nothing to send (ABRP requires soc).
    assert.equal(buildTelemetry(reported(KM_LINES.D, KM_LINES.L)), undefined);
    // Stale temperatures (D13/D14 = 0), no GPS fix (0,0), unknown pack voltage, SOH and capacity (0).
    let s = withField(KM_LINES.S, 33, '0');
    s = withField(withField(s, 34, '0'), 41, '0.0');
    const d = withField(withField(KM_LINES.D, 13, '0'), 14, '0');
    const l = withField(withField(KM_LINES.L, 1, '0.000000'), 2, '0.000000');
    const tlm = buildTelemetry(reported(s, d, l));
    assert.ok(tlm);
    for (const key of [
      'ext_temp',
      'batt_temp',
      'cabin_temp',
      'lat',
      'lon',
      'elevation',
      'heading',
      'voltage',
      'soh',
      'capacity',
    ])
      assert.equal(key in tlm, false, `${key} left out`);
    // An old module's short S (8 fields) still gives SOC and range.
    const old = buildTelemetry(reported('S55,M,0,0,stopped,range,100,90'));
    assert.deepEqual(old, { utc: AT / 1000, soc: 55, is_charging: 0, is_dcfc: 0, est_battery_range: 144.8 });
  });
});
