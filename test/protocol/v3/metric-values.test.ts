import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeDate,
  decodeMetric,
  decodeMetricValue,
  encodeMetric,
  encodeMetricValue,
  formatFixed,
  formatG6,
  formatHex,
  formatInt,
  metricType,
} from '../../../src/protocol/v3/index.js';

test('V3.md §3.4 examples decode to typed values', () => {
  assert.deepEqual(decodeMetric('v.c.charging', 'yes'), { value: true });
  assert.deepEqual(decodeMetric('v.c.charging', 'no'), { value: false });
  assert.deepEqual(decodeMetric('m.net.sq', '-67'), { value: -67 });
  assert.deepEqual(decodeMetric('v.c.time', '3600'), { value: 3600 });
  assert.deepEqual(decodeMetric('v.c.timerstart', '22:00:00'), { value: 79200 });
  assert.deepEqual(decodeMetric('v.b.soc', '80.5'), { value: 80.5 });
  assert.deepEqual(decodeMetric('v.b.voltage', '123457'), { value: 123457 });
  assert.deepEqual(decodeMetric('v.b.energy.used', '1.23457e+06'), { value: 1234570 });
  assert.deepEqual(decodeMetric('v.p.latitude', '51.507351'), { value: 51.507351 });
  assert.deepEqual(decodeMetric('m.time.utc', '2026-08-22 10:15:00 UTC'), {
    value: Date.UTC(2026, 7, 22, 10, 15) / 1000,
  });
  assert.deepEqual(decodeMetric('v.p.gpstime', '2026-08-22 12:15:00 CEST'), {
    value: Date.UTC(2026, 7, 22, 10, 15) / 1000,
  });
  assert.deepEqual(decodeMetric('v.c.state', 'charging'), { value: 'charging' });
  assert.deepEqual(decodeMetric('v.t.pressure', '234,236.5,nan,230').value, [234, 236.5, Number.NaN, 230]);
  assert.deepEqual(decodeMetric('v.t.alert', '0,1,2,0'), { value: [0, 1, 2, 0] });
  assert.ok(Number.isNaN(decodeMetric('v.b.soc', 'nan').value));
  assert.equal(decodeMetric('v.b.soc', 'inf').value, Infinity);
  assert.equal(decodeMetric('v.b.soc', '-inf').value, -Infinity);
});

test('dates: Unix seconds from older firmware, numeric zones, unknown zones read as UTC with a note', () => {
  const utc = Date.UTC(2026, 7, 22, 10, 15) / 1000;
  assert.deepEqual(decodeDate(String(utc)), { value: utc });
  assert.deepEqual(decodeDate('2026-08-22 15:45:00 +0530'), { value: utc });
  assert.deepEqual(decodeDate('2026-08-22 06:15:00 EDT'), { value: utc });
  const unknown = decodeDate('2026-08-22 10:15:00 XYZT');
  assert.equal(unknown.value, utc);
  assert.match(unknown.note ?? '', /unknown time zone "XYZT"/);
  assert.match(decodeDate('2026-02-30 10:15:00 UTC').reason ?? '', /not a valid date/);
  assert.match(decodeDate('yesterday').reason ?? '', /not a date/);
});

test('garbage gives undefined and a reason, never an exception', () => {
  const cases: [name: string, text: string, reason: RegExp][] = [
    ['v.b.soc', 'eighty', /not a number: "eighty"/],
    ['v.b.soc', '', /not a number/],
    ['v.b.soc', '0x10', /not a number/],
    ['v.c.charging', 'maybe', /not yes\/no/],
    ['v.c.time', 'nan', /not a finite integer/],
    ['v.c.timerstart', '22:61:00', /not a time of day/],
    ['v.c.timerstart', 'ten', /not HH:MM:SS/],
    ['v.t.pressure', '230,x,231', /element 2: not a number/],
    ['v.t.alert', '0,,1', /element 2/],
  ];
  for (const [name, text, reason] of cases) {
    const decoded = decodeMetric(name, text);
    assert.equal(decoded.value, undefined, `${name}=${text}`);
    assert.match(decoded.reason ?? '', reason);
  }
  assert.equal(metricType('xrt.b.u.soc.min'), 'string', 'vehicle-specific metrics are text');
  assert.deepEqual(decodeMetric('xrt.b.u.soc.min', '12,5'), { value: '12,5' });
  assert.deepEqual(decodeMetricValue('int', '3.9'), { value: 3 }, 'a fractional int is truncated');
});

test('encoding is the inverse of decoding, in the firmware text form', () => {
  assert.equal(encodeMetric('v.c.charging', true), 'yes');
  assert.equal(encodeMetric('v.c.timerstart', 79200), '22:00:00');
  assert.equal(encodeMetric('v.p.latitude', 51.5), '51.500000');
  assert.equal(encodeMetric('m.time.utc', Date.UTC(2026, 7, 22, 10, 15) / 1000), '2026-08-22 10:15:00 UTC');
  assert.equal(encodeMetric('v.t.pressure', [230, Number.NaN, 229.5]), '230,nan,229.5');
  assert.equal(encodeMetric('v.c.time', 3600.9), '3600');
  assert.equal(encodeMetric('v.b.soc', 1 / 3), '0.333333333333', '12 significant digits');
  assert.equal(encodeMetricValue('float', Number.NaN), 'nan');
  for (const [name, text] of [
    ['v.b.soc', '80.5'],
    ['v.c.timerstart', '06:05:04'],
    ['v.e.serv.time', '2026-12-01 00:00:00 UTC'],
    ['v.t.alert', '0,1,2,0'],
  ] as const) {
    const { value } = decodeMetric(name, text);
    assert.ok(value !== undefined);
    assert.equal(encodeMetric(name, value), text);
  }
});

test('number formatting primitives: g6, fixN, int (truncated), hex', () => {
  assert.deepEqual(
    [123456.7, 1234567, 0.0001, 0.00001234, 80.5, -67, 12.6, 0, Number.NaN, -Infinity].map(formatG6),
    ['123457', '1.23457e+06', '0.0001', '1.234e-05', '80.5', '-67', '12.6', '0', 'nan', '-inf'],
  );
  assert.deepEqual(
    [formatFixed(16, 2), formatFixed(-0.0001, 1), formatFixed(Number.NaN, 1)],
    ['16.00', '-0.0', 'nan'],
  );
  assert.deepEqual([280.7, -3.9, 45678.9 * 10, 283834.98, Number.NaN, 1787393700].map(formatInt), [
    '280',
    '-3',
    '456789',
    '283834',
    '0',
    '1787393700',
  ]);
  assert.deepEqual([10, 255, -1].map(formatHex), ['a', 'ff', 'ffffffff']);
});
