import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MetricState,
  V2_FIELD_MAPS,
  v2CodesForMetric,
  v2CodesForMetrics,
  v2SourceMetrics,
} from '../../../src/protocol/v3/index.js';
import { CHARGING_CAR } from './fixtures.js';

test('a batch of updates says which v2 messages to rebuild, in catalogue order', () => {
  const state = new MetricState();
  const result = state.apply([
    ['v.p.latitude', '51.503364'],
    ['v.b.soc', '80.5'],
    ['m.time.utc', '2026-08-22 10:15:00 UTC'],
  ]);
  assert.deepEqual(result.changed, ['v.p.latitude', 'v.b.soc', 'm.time.utc']);
  assert.deepEqual(result.rebuild, ['S', 'L']);
  assert.deepEqual(result.rejected, []);
  assert.equal(state.value('v.b.soc'), 80.5);
  assert.equal(state.text('v.p.latitude'), '51.503364');
});

test('dependencies: one metric can feed several messages; TPMS feeds Y and W', () => {
  assert.deepEqual(v2CodesForMetric('v.p.trip'), ['D', 'L']);
  assert.deepEqual(v2CodesForMetric('v.b.power'), ['S', 'L']);
  assert.deepEqual(v2CodesForMetric('v.e.cooling'), ['S', 'D']);
  assert.deepEqual(v2CodesForMetric('v.t.alert'), ['Y', 'W']);
  assert.deepEqual(v2CodesForMetric('v.g.current'), ['X']);
  assert.deepEqual(v2CodesForMetric('m.net.sq'), ['F']);
  assert.deepEqual(v2CodesForMetric('m.monotonic'), []);
  assert.deepEqual(v2CodesForMetrics(['v.t.temp', 'v.b.soc', 'v.i.temp']), ['S', 'D', 'Y', 'W']);
  const sources = new Set(v2SourceMetrics());
  for (const map of Object.values(V2_FIELD_MAPS)) {
    for (const field of map) for (const source of field.sources) assert.ok(sources.has(source), source);
  }
});

test('an unchanged value changes nothing; an empty payload clears the metric', () => {
  const state = new MetricState();
  state.apply(CHARGING_CAR);
  assert.deepEqual(state.set('v.b.soc', '80.5'), { changed: [], rebuild: [], rejected: [] });
  assert.deepEqual(state.set('v.b.soc', '').rebuild, ['S']);
  assert.equal(state.has('v.b.soc'), false);
  assert.deepEqual(state.set('v.b.soc', ''), { changed: [], rebuild: [], rejected: [] });
});

test('a garbled value is rejected with a reason and leaves the metric undefined', () => {
  const state = new MetricState();
  state.set('v.b.soc', '80.5');
  const result = state.set('v.b.soc', 'lots');
  assert.deepEqual(result.changed, ['v.b.soc']);
  assert.deepEqual(result.rebuild, ['S']);
  assert.equal(result.rejected.length, 1);
  assert.match(result.rejected[0]?.reason ?? '', /not a number/);
  assert.equal(state.value('v.b.soc'), undefined);
  assert.equal(state.size, 0);
});

test('vehicle-specific metrics are kept as text and change no v2 message', () => {
  const state = new MetricState();
  const result = state.set('xrt.b.u.soc.min', '42');
  assert.deepEqual(result.rebuild, []);
  assert.equal(state.value('xrt.b.u.soc.min'), '42');
  assert.deepEqual(
    [...state.metrics()].map(([name]) => name),
    ['xrt.b.u.soc.min'],
  );
  state.clear();
  assert.equal(state.size, 0);
});
