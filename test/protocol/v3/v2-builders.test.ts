import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, environmentFlags, tpmsWheels } from '../../../src/protocol/messages/index.js';
import {
  buildEnvironment,
  buildGenerator,
  buildLocation,
  buildStatus,
  buildTpms,
  buildTpmsLegacy,
  buildV2Messages,
  distanceUnitFromConfig,
  generatorActive,
  MetricState,
  V2_CODES,
  type V2BuildContext,
} from '../../../src/protocol/v3/index.js';
import { CHARGING_CAR, KM_LINES, MILES_LINES } from './fixtures.js';

const KM: V2BuildContext = { units: 'K', online: true, canwrite: '1' };
const MILES: V2BuildContext = { ...KM, units: 'M' };

function stateOf(updates: Iterable<readonly [string, string]>): MetricState {
  const state = new MetricState();
  const { rejected } = state.apply(updates);
  assert.deepEqual(rejected, []);
  return state;
}

function lines(state: MetricState, context: V2BuildContext): Record<string, string> {
  return Object.fromEntries(
    buildV2Messages(V2_CODES, state, context).map((m) => [m.code, m.code + m.payload]),
  );
}

test('a km car: S, D, L, F, Y and W field by field as the firmware builds them', () => {
  const built = lines(stateOf(CHARGING_CAR), KM);
  for (const code of ['S', 'D', 'L', 'F', 'Y', 'W'] as const) assert.equal(built[code], KM_LINES[code], code);
});

test('a miles car: ranges, limits, trip, odometer and speeds converted (× 0.62137, truncated); D9 stays km/h', () => {
  const built = lines(stateOf(CHARGING_CAR), MILES);
  for (const code of ['S', 'D', 'L'] as const) assert.equal(built[code], MILES_LINES[code], code);
});

test('the existing v2 decoders read the built lines back to the metric values', () => {
  const state = stateOf(CHARGING_CAR);
  const status = decodeMessage(`S${buildStatus(state, KM)}`);
  assert.equal(status.kind, 'status');
  if (status.kind !== 'status') return;
  assert.equal(status.extra.length, 0);
  assert.equal(status.fields.soc, '80.5');
  assert.equal(status.fields.chargekwh, '52', 'v.c.kwh 5.26 → tenths of kWh, truncated');
  assert.equal(status.fields.chargestarttime, '79200', 'v.c.timerstart 22:00:00 → seconds of day');
  assert.equal(status.fields.chargepower, '7.20', 'minus v.b.power while charging');
  assert.equal(
    status.fields.charge_time_last_end,
    String(Date.UTC(2026, 7, 22, 10, 15) / 1000),
    'CEST date → Unix',
  );

  const environment = decodeMessage(`D${buildEnvironment(state, KM)}`);
  assert.equal(environment.kind, 'environment');
  if (environment.kind !== 'environment') return;
  assert.equal(environment.fields.odometer, '456789', 'odometer × 10');
  assert.deepEqual(environmentFlags(environment), {
    fl_dooropen: 1,
    fr_dooropen: 0,
    cp_dooropen: 4,
    pilotpresent: 8,
    charging: 16,
    handbrake: 64,
    caron: 0,
    carlocked: 8,
    valetmode: 0,
    headlights: 32,
    bt_open: 0,
    tr_open: 128,
    carawake: 1,
    alarmsounding: 2,
    rl_dooropen: 0,
    rr_dooropen: 2,
    charging_12v: 16,
    hvac: 128,
  });

  const location = decodeMessage(`L${buildLocation(state, KM)}`);
  assert.equal(location.kind, 'location');
  if (location.kind === 'location') {
    assert.equal(location.fields.lat, '51.503364');
    assert.equal(location.fields.drivemode, 'a', 'drive mode 10 in lower-case hex');
  }

  const tpms = decodeMessage(`Y${buildTpms(state, KM)}`);
  assert.equal(tpms.kind, 'tpms');
  if (tpms.kind === 'tpms') {
    assert.deepEqual(tpmsWheels(tpms), [
      { name: 'FL', pressure: '230.0', temperature: '21.0', health: undefined, alert: '0' },
      { name: 'FR', pressure: '231.0', temperature: '21.5', health: undefined, alert: '0' },
      { name: 'RL', pressure: '229.5', temperature: '20.0', health: undefined, alert: '1' },
      { name: 'RR', pressure: '230.2', temperature: '20.5', health: undefined, alert: '0' },
    ]);
  }
});

test('never-received metrics give the firmware defaults (V3.md §5 "undef" column)', () => {
  const built = lines(new MetricState(), { units: 'K', online: true });
  assert.equal(
    built.S,
    'S0,K,0,0.00,stopped,standard,0,0,0,0,0,0,0,21,0,0,0,0,0.00,0,0,0,0,-1,0,0,0,0,0,0,0,0.00,0.00,0.00,0.00,0.00,0.00,0.0,0.0,0.0,0.0,-1',
  );
  assert.equal(built.D, 'D0,0,5,0,0,0,0,0,0,0,0,0,-1,-1,0,0,0,0,0,0,0');
  assert.equal(built.L, 'L0,0,0,0,0,0,0,0,0,0,0,0,0,0,,0,0,0,0');
  assert.equal(built.F, 'F,,0,0,,,-1,-1,,');
  assert.equal(built.Y, 'Y4,FL,FR,RL,RR,0,-1,0,-1,0,-1,0,-1,0,-1');
  assert.equal(built.W, 'W0,1,0,1,0,1,0,1,-1');
  assert.equal(built.X, 'X0,0,0,0.0,0.0,0.0,,stopped,,standard,0.0,0.0,0,0.0,0.0,0.0,0,0,0,0,0,0,0.0,-1');
  for (const line of Object.values(built)) assert.notEqual(decodeMessage(line).kind, 'invalid', line);
});

test('charge state, sub-state and mode keys; unknown texts give 0, 0 and -1', () => {
  const cases: [state: string, substate: string, mode: string, keys: string][] = [
    ['charging', 'scheduledstop', 'standard', '1,0'],
    ['topoff', 'scheduledstart', 'storage', '2,1'],
    ['done', 'timerwait', 'performance', '4,4'],
    ['prepare', 'powerwait', 'range', '13,3'],
    ['timerwait', 'stopped', 'range', '14,3'],
    ['heating', 'interrupted', 'range', '15,3'],
    ['stopped', 'onrequest', 'range', '21,3'],
    ['something', 'other', 'eco', '0,-1'],
  ];
  const substateKeys = ['1', '2', '5', '7', '13', '14', '3', '0'];
  cases.forEach(([chargeState, substate, mode, keys], i) => {
    const state = stateOf([
      ['v.c.state', chargeState],
      ['v.c.substate', substate],
      ['v.c.mode', mode],
    ]);
    const fields = buildStatus(state, KM).split(',');
    assert.equal(fields[4], chargeState);
    assert.equal(fields[12], substateKeys[i], `substate ${substate}`);
    assert.equal(`${fields[13]},${fields[14]}`, keys, chargeState);
  });
});

test('S21: the range estimate only when 0 ≤ R < C; an unknown C (-1) wins', () => {
  const etrLimit = (range: string, soc: string) =>
    buildStatus(
      stateOf([
        ['v.c.duration.range', range],
        ['v.c.duration.soc', soc],
      ]),
      KM,
    ).split(',')[20];
  assert.equal(etrLimit('30', '60'), '30');
  assert.equal(etrLimit('90', '60'), '60');
  assert.equal(etrLimit('-1', '60'), '60');
  assert.equal(etrLimit('30', '-1'), '-1');
});

test('S24 cooldown and S32 charge power follow cooling and charging', () => {
  const fields = (updates: [string, string][]) => buildStatus(stateOf(updates), KM).split(',');
  assert.equal(fields([['v.e.cooling', 'yes']])[23], '0');
  assert.equal(fields([['v.e.cooling', 'no']])[23], '-1');
  assert.equal(fields([['v.b.power', '-3.5']])[31], '0.00', 'not charging');
  assert.equal(
    fields([
      ['v.b.power', '-3.5'],
      ['v.c.charging', 'yes'],
    ])[31],
    '3.50',
  );
});

test('door bytes: each Bool sets its own bit and nothing else', () => {
  const bits: [metric: string, field: number, value: number][] = [
    ['v.d.fl', 0, 1],
    ['v.d.fr', 0, 2],
    ['v.d.cp', 0, 4],
    ['v.c.pilot', 0, 8],
    ['v.c.charging', 0, 16],
    ['v.e.handbrake', 0, 64],
    ['v.e.on', 0, 128],
    ['v.e.locked', 1, 8],
    ['v.e.valet', 1, 16],
    ['v.e.headlights', 1, 32],
    ['v.d.hood', 1, 64],
    ['v.d.trunk', 1, 128],
    ['v.e.awake', 11, 1],
    ['v.e.cooling', 11, 2],
    ['v.e.c.login', 11, 64],
    ['v.e.c.config', 11, 128],
    ['v.e.alarm', 15, 2],
    ['v.d.rl', 17, 1],
    ['v.d.rr', 17, 2],
    ['v.e.charging12v', 17, 16],
    ['v.e.aux12v', 17, 32],
    ['v.e.hvac', 17, 128],
  ];
  for (const [metric, field, value] of bits) {
    const fields = buildEnvironment(stateOf([[metric, 'yes']]), KM).split(',');
    const doors = [0, 1, 11, 15, 17].map((i) => fields[i]);
    const expected = [0, 1, 11, 15, 17].map((i) => String(i === field ? value : 0));
    assert.deepEqual(doors, expected, metric);
  }
  assert.equal(buildEnvironment(stateOf([['v.e.locked', 'yes']]), KM).split(',')[2], '4', 'D3 locked');
});

test('stale flags stand-in: -1 never received, 1 online, 0 offline (D13, D14, L6, Y validity, W9)', () => {
  const state = stateOf(CHARGING_CAR);
  const offline = { ...KM, online: false };
  const d = buildEnvironment(state, offline).split(',');
  assert.deepEqual([d[12], d[13]], ['0', '0']);
  assert.equal(buildLocation(state, offline).split(',')[5], '0');
  assert.equal(
    buildTpms(state, offline),
    '4,FL,FR,RL,RR,4,230.0,231.0,229.5,230.2,0,4,21.0,21.5,20.0,20.5,0,0,-1,4,0,0,1,0,0,0,-1',
  );
  const onlyCabin = buildEnvironment(stateOf([['v.e.cabintemp', '20']]), KM).split(',');
  assert.deepEqual(
    [onlyCabin[12], onlyCabin[13]],
    ['1', '-1'],
    'any temperature makes D13 fresh; D14 is ambient only',
  );
  const full = stateOf([
    ['v.t.pressure', '230,231,229.5,230.2'],
    ['v.t.temp', '21,21.5,20,20.5'],
    ['v.t.health', '100,100,100,100'],
    ['v.t.alert', '0,0,0,0'],
  ]);
  assert.equal(buildTpmsLegacy(full, KM).split(',')[8], '1', 'all four TPMS vectors, online');
  assert.equal(buildTpmsLegacy(full, offline).split(',')[8], '0');
});

test('W: psi from kPa, iOS stand-in 1 for missing or ≤ 1 °C temperatures, nan elements and short vectors', () => {
  const state = stateOf([
    ['v.t.pressure', '230,nan,229.5'],
    ['v.t.temp', '0.5,-3,nan,12'],
  ]);
  assert.equal(buildTpms(state, KM), '4,FL,FR,RL,RR,3,230.0,,229.5,1,4,0.5,-3.0,,12.0,1,0,-1,0,-1,0,-1');
  assert.equal(buildTpmsLegacy(state, KM), '0,1,0,12.0,33.3587,1,33.2862,1,0');
  assert.equal(
    buildTpmsLegacy(state, { ...KM, iosTpmsWorkaround: false }),
    '0,-3.0,0,12.0,33.3587,0.5,33.2862,0.0,0',
  );
  const noValues = stateOf([['v.t.alert', '0,0,0,0']]);
  assert.equal(
    buildTpmsLegacy(noValues, { ...KM, iosTpmsWorkaround: false }),
    '0,0,0,0,0,0,0,0,0',
    'g6 without a Y value',
  );
});

test('Y: the wheel layout comes from the context (MQTT does not carry it)', () => {
  const state = stateOf([['v.t.pressure', '250,250']]);
  assert.equal(
    buildTpms(state, { ...KM, tpmsWheels: ['F', 'R'] }),
    '2,F,R,2,250.0,250.0,1,0,-1,0,-1,0,-1,0,-1',
  );
});

test('buildV2Messages: Y and W always together, W right after Y, in catalogue order', () => {
  const codes = (wanted: ('S' | 'Y' | 'W' | 'X')[]) =>
    buildV2Messages(wanted, new MetricState(), KM).map((message) => message.code);
  assert.deepEqual(codes(['Y']), ['Y', 'W']);
  assert.deepEqual(codes(['W', 'S']), ['S', 'Y', 'W']);
  assert.deepEqual(codes(['X', 'S']), ['S', 'X']);
});

test('X: a generating car, every field; limit range in the car units with one decimal', () => {
  const state = stateOf([
    ['v.g.generating', 'yes'],
    ['v.g.pilot', 'yes'],
    ['v.g.voltage', '229.8'],
    ['v.g.current', '12.46'],
    ['v.g.power', '2.9'],
    ['v.g.efficiency', '91.5'],
    ['v.g.type', 'ccs'],
    ['v.g.state', 'exporting'],
    ['v.g.substate', 'onrequest'],
    ['v.g.mode', 'standard'],
    ['v.g.climit', '16'],
    ['v.g.limit.range', '100'],
    ['v.g.limit.soc', '20.7'],
    ['v.g.kwh', '3.25'],
    ['v.g.kwh.grid', '3.1'],
    ['v.g.kwh.grid.total', '45.6'],
    ['v.g.time', '1800'],
    ['v.g.timermode', 'no'],
    ['v.g.timerstart', '06:30:00'],
    ['v.g.duration.empty', '240'],
    ['v.g.duration.range', '-1'],
    ['v.g.duration.soc', '200'],
    ['v.g.temp', '31'],
    ['v.g.timestamp', '2026-08-22 10:15:00 UTC'],
  ]);
  const end = Date.UTC(2026, 7, 22, 10, 15) / 1000;
  assert.equal(
    buildGenerator(state, KM),
    `1,1,229,12.5,2.9,91.5,ccs,exporting,onrequest,standard,16.0,100.0,20,3.3,3.1,45.6,1800,0,23400,240,-1,200,31.0,${end}`,
  );
  assert.equal(buildGenerator(state, MILES).split(',')[11], '62.1');
  assert.equal(generatorActive(state), true);
  assert.equal(generatorActive(stateOf([['v.g.current', '0']])), false);
});

test('F: signal quality from dBm (0 above −51 dBm), MP-encoded texts, service date as Unix seconds', () => {
  const signal = (dbm: string) => lines(stateOf([['m.net.sq', dbm]]), KM).F!.split(',')[2];
  assert.deepEqual(['-69', '-51', '-50', '-113', '-120'].map(signal), ['22', '31', '0', '0', '-3']);
});

test('text fields cannot shift the fields after them: commas and line breaks are MP-encoded', () => {
  const state = stateOf([
    ['v.c.state', 'charging,fast'],
    ['v.p.gpsmode', 'A\nA'],
  ]);
  assert.equal(buildStatus(state, KM).split(',')[4], 'charging;fast');
  assert.equal(buildLocation(state, KM).split(',')[14], 'A\rA');
  assert.equal(buildStatus(state, KM).split(',').length, 42);
});

test('the distance unit from the module config: M is miles, anything else km', () => {
  assert.deepEqual(['M', ' M\n', 'K', 'miles', '', undefined].map(distanceUnitFromConfig), [
    'M',
    'M',
    'K',
    'K',
    'K',
    'K',
  ]);
});
