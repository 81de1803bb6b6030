import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage } from '../../../src/protocol/messages/index.js';
import {
  buildV2Payload,
  decodeMetric,
  MetricState,
  metricsFromV2,
  STANDARD_METRICS,
  V2_FIELD_MAPS,
  V2_INVERSE_MAPS,
  V2_PROVIDED_METRICS,
  V2_UNAVAILABLE_METRICS,
  type V2BuildContext,
  type V2Code,
  type V3FromV2Context,
} from '../../../src/protocol/v3/index.js';
import { KM_LINES, LAST_CHARGE_END, MILES_LINES, NEXT_SERVICE } from './fixtures.js';

const KM: V3FromV2Context = { units: 'K' };
const MILES: V3FromV2Context = { units: 'M' };

function metricsOf(line: string, context = KM): Map<string, string> {
  const { metrics, invalid } = metricsFromV2(decodeMessage(line), context);
  assert.deepEqual(invalid, []);
  return new Map(metrics);
}

/** Decodes the lines into metrics, then builds each line again from those metrics. */
function roundTrip(lines: readonly string[], v3: V3FromV2Context, v2: V2BuildContext): string[] {
  const state = new MetricState();
  for (const line of lines) {
    const { metrics, invalid } = metricsFromV2(decodeMessage(line), v3);
    assert.deepEqual(invalid, [], line);
    assert.deepEqual(state.apply(metrics).rejected, [], line);
  }
  return lines.map((line) => line[0] + buildV2Payload(line[0] as V2Code, state, v2));
}

test('round trip, km car: S, D, L, F and Y → metrics → the same lines', () => {
  const lines = [KM_LINES.S, KM_LINES.D, KM_LINES.L, KM_LINES.F, KM_LINES.Y];
  assert.deepEqual(roundTrip(lines, KM, { units: 'K', online: true, canwrite: '1' }), lines);
});

test('round trip, miles car: distances go to km and back to the same miles', () => {
  const lines = [MILES_LINES.S, MILES_LINES.D, MILES_LINES.L];
  assert.deepEqual(roundTrip(lines, MILES, { units: 'M', online: true }), lines);
});

test('round trip, X in km and in miles', () => {
  const x = `X1,1,229,12.5,2.9,91.5,ccs,exporting,onrequest,standard,16.0,62.1,20,3.3,3.1,45.6,1800,0,23400,240,-1,200,31.0,${LAST_CHARGE_END}`;
  assert.deepEqual(roundTrip([x], KM, { units: 'K', online: true }), [x]);
  assert.deepEqual(roundTrip([x], MILES, { units: 'M', online: true }), [x]);
});

test('S: field by field, with units from S itself; derived and constant fields give no metric', () => {
  const metrics = metricsOf(MILES_LINES.S, KM);
  assert.equal(metrics.get('v.b.soc'), '80.5');
  assert.equal(metrics.get('v.b.range.ideal'), '280.026393292', '174 mi (S2 says M) → km');
  assert.equal(metrics.get('v.c.kwh'), '5.2', 'tenths of kWh');
  assert.equal(metrics.get('v.c.substate'), 'onrequest', 'key 3');
  assert.equal(metrics.get('v.c.timermode'), 'yes');
  assert.equal(metrics.get('v.c.timerstart'), '22:00:00');
  assert.equal(metrics.get('v.c.timestamp'), '2026-08-22 10:15:00 UTC');
  for (const derived of ['v.e.cooling', 'v.b.power', 'v.c.charging'])
    assert.equal(metrics.has(derived), false);
  assert.equal(metrics.size, 30);
});

test('D: door bits to Bools, tenths to km; the lock state and stale flags give no metric', () => {
  const metrics = metricsOf(MILES_LINES.D, MILES);
  assert.equal(metrics.get('v.d.fl'), 'yes');
  assert.equal(metrics.get('v.d.fr'), 'no');
  assert.equal(metrics.get('v.e.locked'), 'yes');
  assert.equal(metrics.get('v.e.alarm'), 'yes');
  assert.equal(metrics.get('v.e.hvac'), 'yes');
  assert.equal(metrics.get('v.p.odometer'), '45678.7421343', '283834 tenths of a mile');
  assert.equal(metrics.get('v.p.speed'), '0', 'km/h whatever the units');
  assert.equal(metrics.get('v.e.c.config'), 'yes');
  assert.equal(metrics.size, 22 + 13);
});

test('F: signal quality to dBm, service date, -1 and empty fields give none', () => {
  const metrics = metricsOf(KM_LINES.F);
  assert.equal(metrics.get('m.net.sq'), '-69');
  assert.equal(metrics.get('v.e.serv.time'), '2026-12-01 00:00:00 UTC');
  assert.equal(metrics.get('m.net.mdm.mode'), 'LTE;Online', 'MP-encoded texts stay encoded');
  assert.equal(Number(decodeMetric('v.e.serv.time', metrics.get('v.e.serv.time')!).value), NEXT_SERVICE);
  assert.deepEqual([...metricsOf('F3.3.001,,0,0,,,-1,-1,,').entries()], [['m.version', '3.3.001']]);
});

test('L: hexadecimal drive mode, miles per hour to km/h', () => {
  const metrics = metricsOf(MILES_LINES.L, MILES);
  assert.equal(metrics.get('v.e.drivemode'), '10');
  assert.equal(metrics.get('v.p.gpsspeed'), '0.321869417577');
  assert.equal(metrics.get('v.p.gpslock'), 'yes');
  assert.equal(metricsOf('L0,0,0,0,1,1,0,0,ffffffff').get('v.e.drivemode'), '-1');
});

test('Y: vectors in wheel order, empty elements as nan; undefined groups give none', () => {
  assert.deepEqual(
    [...metricsOf('Y4,FL,FR,RL,RR,4,230.0,,229.5,230.2,1,0,-1,0,-1,4,0,0,2,0,1,0,-1').entries()],
    [
      ['v.t.pressure', '230,nan,229.5,230.2'],
      ['v.t.alert', '0,0,2,0'],
    ],
  );
});

test('W (cars without Y): psi to kPa and °C, in FL, FR, RL, RR order; stale -1 gives none', () => {
  const metrics = metricsOf(KM_LINES.W);
  assert.equal(metrics.get('v.t.temp'), '21,21.5,20,20.5');
  const kpa = (metrics.get('v.t.pressure') ?? '').split(',').map(Number);
  assert.deepEqual(
    kpa.map((value) => value.toFixed(1)),
    ['230.0', '231.0', '229.5', '230.2'],
  );
  assert.equal(metricsOf('W0,1,0,1,0,1,0,1,-1').size, 0);
});

test('garbled fields are reported and give no metric; the rest still do', () => {
  const { metrics, invalid } = metricsFromV2(decodeMessage('S8x.5,K,230'), KM);
  assert.deepEqual(metrics, [['v.c.voltage', '230']]);
  assert.equal(invalid.length, 1);
  assert.equal(invalid[0]?.field, 'soc');
  assert.deepEqual(metricsFromV2(decodeMessage('A'), KM), { metrics: [], invalid: [] });
});

test('every metric a v2 message gives is a source of the same message, and a standard metric', () => {
  const standard = new Set(STANDARD_METRICS.map((info) => info.name));
  for (const [code, inverse] of Object.entries(V2_INVERSE_MAPS)) {
    const forward = V2_FIELD_MAPS[code as keyof typeof V2_FIELD_MAPS];
    for (const field of inverse) {
      const sources = forward[field.index - 1]?.sources ?? [];
      for (const metric of field.metrics) {
        assert.ok(sources.includes(metric), `${code}${field.index} ${field.field}: ${metric}`);
        assert.ok(standard.has(metric), metric);
      }
    }
  }
  assert.equal(V2_PROVIDED_METRICS.filter((m) => V2_UNAVAILABLE_METRICS.includes(m)).length, 0);
  assert.ok(V2_UNAVAILABLE_METRICS.includes('v.m.rpm'));
  assert.ok(!V2_UNAVAILABLE_METRICS.includes('s.v3.connected'), 'the bridge publishes it');
});
