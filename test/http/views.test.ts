import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { sessionCookie } from '../../src/http/auth.js';
import { listValues } from '../../src/http/car-command.js';
import { canonicalJson, ResponseValidationError, validatingSerializerCompiler } from '../../src/http/json.js';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { chargeCommand } from '../../src/http/routes/charge-control.js';
import { commandParams } from '../../src/http/routes/command.js';
import { ChargeView, LocationView, StatusView, TpmsView, VehicleConnected } from '../../src/http/schemas.js';
import { chargeView } from '../../src/http/views/charge.js';
import { ParanoidVehicleError } from '../../src/http/views/common.js';
import { locationView } from '../../src/http/views/location.js';
import { historyRecordsView, historySummaryView, protocolView } from '../../src/http/views/records.js';
import { statusView } from '../../src/http/views/status.js';
import { kpaToPsi, tpmsView } from '../../src/http/views/tpms.js';
import { decodeCommandResponse } from '../../src/protocol/messages/index.js';
import {
  D_PAYLOAD,
  L_PAYLOAD,
  NOW,
  S_PAYLOAD,
  STATUS_FROM_D,
  STATUS_FROM_S,
  stored,
  T0,
  TPMS_FROM_W,
  W_PAYLOAD,
  Y_PAYLOAD,
} from './fixtures.js';

const S = stored('S', S_PAYLOAD);
const D = stored('D', D_PAYLOAD);

test('status view: S values as strings, D flags as masked bit values, ages as numbers', () => {
  const view = statusView([S, D], NOW);
  assert.deepEqual(view, { ...STATUS_FROM_S, ...STATUS_FROM_D });
  assert.ok(Value.Check(StatusView, view));
  assert.deepEqual(statusView([], NOW), {});
});

test('status view: a paranoid S refuses the view, a paranoid D is left out', () => {
  assert.throws(() => statusView([stored('S', 'xx', { paranoid: true }), D], NOW), ParanoidVehicleError);
  assert.deepEqual(statusView([S, stored('D', 'xx', { paranoid: true })], NOW), STATUS_FROM_S);
});

test('status view: fields an older car does not send are null, missing doors bits are 0', () => {
  const view = statusView([stored('S', '55,M,0,0,stopped,range,100,90'), stored('D', '1,0')], NOW);
  assert.equal(view.soc, '55');
  assert.equal(view.soh, null);
  assert.equal(view.idealrange_max, null);
  assert.equal(view.fl_dooropen, 1);
  assert.equal(view.alarmsounding, 0);
  assert.equal(view.vehicle12v, null);
  assert.ok(Value.Check(StatusView, view));
});

test('charge view: every charge field, including the newer S fields', () => {
  const view = chargeView([S, D], NOW);
  assert.deepEqual(view, {
    m_msgtime_s: '2024-05-01 12:00:00',
    m_msgage_s: 90,
    linevoltage: '230',
    battvoltage: '390.5',
    chargecurrent: '16.00',
    chargepower: '7.2',
    chargepowerinput: '7.5',
    chargerefficiency: '95.2',
    chargetype: 'type2',
    chargestate: 'charging',
    soc: '80.5',
    units: 'K',
    idealrange: '250',
    estimatedrange: '200',
    mode: 'standard',
    chargelimit: '32',
    chargeduration: '3600',
    chargeb4: '0',
    chargekwh: '125',
    chargesubstate: '5',
    chargetimermode: '0',
    chargestarttime: '0',
    chargetimerstale: '0',
    cac100: '140',
    soh: '98',
    charge_etr_full: '60',
    charge_etr_limit: '30',
    charge_limit_range: '300',
    charge_limit_soc: '90',
    cooldown_active: '-1',
    cooldown_tbattery: '0',
    cooldown_timelimit: '0',
    charge_estimate: '0',
    charge_etr_range: '40',
    charge_etr_soc: '20',
    idealrange_max: '280',
    batt_current: '-12.3',
    batt_range_speed: '50',
    charge_kwh_grid: '12.5',
    charge_kwh_grid_total: '1234.5',
    batt_capacity: '52.0',
    m_msgtime_d: '2024-05-01 12:00:00',
    m_msgage_d: 90,
    cp_dooropen: 4,
    pilotpresent: 0,
    charging: 16,
    caron: 128,
    carawake: 1,
    charging_12v: 16,
    temperature_pem: '30',
    temperature_motor: '35',
    temperature_battery: '20',
    temperature_charger: '40',
    temperature_ambient: '15',
    temperature_cabin: '21',
    staletemps: '1',
    staleambient: '1',
    vehicle12v: '12.6',
    vehicle12v_ref: '12.8',
    vehicle12v_current: '1.5',
  });
  assert.ok(Value.Check(ChargeView, view));
  assert.throws(() => chargeView([stored('S', 'x', { paranoid: true })], NOW), ParanoidVehicleError);
});

test('location view: the 14 reference fields of L', () => {
  const view = locationView([stored('L', L_PAYLOAD)], NOW);
  assert.deepEqual(view, {
    m_msgtime_l: '2024-05-01 12:00:00',
    m_msgage_l: 90,
    latitude: '51.501364',
    longitude: '-0.141890',
    direction: '270',
    altitude: '12',
    gpslock: '1',
    stalegps: '1',
    speed: '48',
    tripmeter: '12.3',
    drivemode: '0',
    power: '15.5',
    energyused: '2.1',
    energyrecd: '0.4',
    invpower: '14.9',
    invefficiency: '93',
  });
  assert.ok(Value.Check(LocationView, view));
  assert.deepEqual(locationView([], NOW), {});
  assert.throws(() => locationView([stored('L', 'x', { paranoid: true })], NOW), ParanoidVehicleError);
});

test('tpms view: Y preferred (psi as numbers, staletpms the highest stale flag), W as fallback', () => {
  const y = tpmsView([stored('W', W_PAYLOAD), stored('Y', Y_PAYLOAD)], NOW);
  assert.deepEqual(y, {
    m_msgtime_y: '2024-05-01 12:00:00',
    m_msgage_y: 90,
    m_msgtime_w: '2024-05-01 12:00:00',
    m_msgage_w: 90,
    fl_pressure_kpa: '230',
    fl_pressure: 33.3586796779481,
    fl_temperature: '20',
    fl_health: '100',
    fl_alert: '0',
    fr_pressure_kpa: '231',
    fr_pressure: 33.5037174156783,
    fr_temperature: '21',
    fr_health: '99',
    fr_alert: '0',
    rl_pressure_kpa: '232',
    rl_pressure: 33.6487551534085,
    rl_temperature: '22',
    rl_health: '98',
    rl_alert: '1',
    rr_pressure_kpa: '233',
    rr_pressure: 33.7937928911388,
    rr_temperature: '23',
    rr_health: '97',
    rr_alert: '0',
    stale_pressure: '1',
    stale_temperature: '1',
    stale_health: '0',
    stale_alert: '1',
    staletpms: '1',
  });
  assert.ok(Value.Check(TpmsView, y));
  const w = tpmsView([stored('W', W_PAYLOAD)], NOW);
  assert.deepEqual(w, TPMS_FROM_W);
  assert.ok(Value.Check(TpmsView, w));
  assert.throws(() => tpmsView([stored('Y', 'x', { paranoid: true })], NOW), ParanoidVehicleError);
  assert.throws(() => tpmsView([stored('W', 'x', { paranoid: true })], NOW), ParanoidVehicleError);
  assert.equal(kpaToPsi('abc'), 0);
  assert.equal(kpaToPsi('100'), 14.5037737730209);
});

test('row views: counts and integer columns as numbers, the rest as strings, as the reference gives them', () => {
  assert.deepEqual(protocolView([stored('S', '80,K', { paranoid: true, ptoken: 'tok' })]), [
    { m_msgtime: '2024-05-01 12:00:00', m_paranoid: 1, m_ptoken: 'tok', m_code: 'S', m_msg: '80,K' },
  ]);
  assert.deepEqual(
    historySummaryView([
      { type: 'RT-X', distinctRecnos: 2, totalRecords: 3, approxBytes: 99, first: T0, last: NOW },
    ]),
    [
      {
        h_recordtype: 'RT-X',
        distinctrecs: 2,
        totalrecs: 3,
        totalsize: '99',
        first: '2024-05-01 12:00:00',
        last: '2024-05-01 12:01:30',
      },
    ],
  );
  assert.deepEqual(
    historyRecordsView([{ type: 'RT-X', recno: 7, timestamp: T0, data: Buffer.from('a,b'), expires: NOW }]),
    [{ h_timestamp: '2024-05-01 12:00:00', h_recordnumber: 7, h_data: 'a,b' }],
  );
});

test('canonical JSON sorts keys at every depth', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }], c: null }), '{"a":[{"c":2,"d":1}],"b":1,"c":null}');
});

test('responses are validated against their schema before they are written', () => {
  const serialize = validatingSerializerCompiler({
    schema: VehicleConnected,
    method: 'GET',
    url: '/api/vehicle/:vehicleId',
    httpStatus: '200',
  });
  const good = {
    v_net_connected: 1,
    v_apps_connected: 1,
    v_btcs_connected: 0,
    v_car_protocol: 'v2',
    v_first_peer: 1,
  };
  assert.equal(serialize(good), `${canonicalJson(good)}\n`);
  assert.throws(() => serialize({ ...good, v_first_peer: '1' }), ResponseValidationError);
  assert.throws(() => serialize({ ...good, extra: 1 }), ResponseValidationError);
});

test('rate limiter: burst, then refill per minute up to max, idle addresses forgotten', () => {
  let now = 0;
  const limiter = new RateLimiter({ burst: 3, perMinute: 60, max: 5, expire: 300_000 }, () => now);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.take('a')),
    [true, true, true, false],
  );
  assert.equal(limiter.take('b'), true, 'addresses are counted separately');
  assert.equal(limiter.retryAfter('a'), 1);
  now += 1000;
  assert.equal(limiter.take('a'), true, 'one request back after a second at 60 a minute');
  assert.equal(limiter.take('a'), false);
  now += 60_000;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map(() => limiter.take('a')),
    [true, true, true, true, true, false],
  );
  now += 301_000;
  limiter.sweep();
  assert.equal(limiter.size, 0);
  // The operator's off switch (http.ratelimit_burst = 0) itself: no other test lifts the limit.
  const off = new RateLimiter({ burst: 0, perMinute: 0, max: 0, expire: 1 });
  assert.ok([1, 2, 3].every(() => off.take('a')));
});

test('charge command: start, mode, current, or both', () => {
  assert.deepEqual(chargeCommand({}), { code: 11, params: [] });
  assert.deepEqual(chargeCommand({ mode: 'range' }), { code: 10, params: ['3'] });
  assert.deepEqual(chargeCommand({ mode: 4 }), { code: 10, params: ['4'] });
  assert.deepEqual(chargeCommand({ current: 16 }), { code: 15, params: ['16'] });
  assert.deepEqual(chargeCommand({ mode: 'storage', current: 10 }), { code: 16, params: ['1', '10'] });
});

test('list replies: values by index, missing ones empty', () => {
  const lines = ['1,0,0,4,a', '1,0,1,4,b,with,commas', '1,0,3,4,d'].map((l) => {
    const r = decodeCommandResponse(l);
    assert.equal(r.kind, 'command-response');
    return r as Extract<typeof r, { kind: 'command-response' }>;
  });
  assert.deepEqual(listValues(lines), ['a', 'b,with,commas', '', 'd']);
});

test('generic command parameters: a list as given, a string split at commas', () => {
  assert.deepEqual(commandParams(undefined), []);
  assert.deepEqual(commandParams(''), []);
  assert.deepEqual(commandParams('1,16'), ['1', '16']);
  assert.deepEqual(commandParams(['stat, now']), ['stat, now']);
});

test('session cookie parsing', () => {
  assert.equal(sessionCookie('a=1; ovmsapisession=abc; b=2'), 'abc');
  assert.equal(sessionCookie('ovmsapisession=x'), 'x');
  assert.equal(sessionCookie('other=1'), undefined);
  assert.equal(sessionCookie(undefined), undefined);
});
