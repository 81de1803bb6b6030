import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChargeView,
  HistoryRecordList,
  HistorySummaryList,
  LocationView,
  ProtocolList,
  StatusView,
  TpmsView,
  VehicleConnected,
  VehicleList,
} from '../../src/http/schemas.js';
import type { Vehicle } from '../../src/store/store.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { Api, assertJson, assertText } from './api-client.js';
import {
  D_PAYLOAD,
  L_PAYLOAD,
  S_PAYLOAD,
  STATUS_FROM_D,
  STATUS_FROM_S,
  stored,
  T0,
  TPMS_FROM_W,
  W_PAYLOAD,
  Y_PAYLOAD,
} from './fixtures.js';

/** Takes the m_msgage_* fields out after checking them against the fixture time (T0). */
function withoutAges(value: unknown): Record<string, unknown> {
  const out = { ...(value as Record<string, unknown>) };
  const expected = Math.floor((Date.now() - T0.getTime()) / 1000);
  for (const key of Object.keys(out).filter((k) => k.startsWith('m_msgage_'))) {
    const age = out[key];
    assert.equal(typeof age, 'number', key);
    assert.ok(Math.abs((age as number) - expected) <= 2, `${key} ${age} vs ${expected}`);
    delete out[key];
  }
  return out;
}

function ages(view: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(view).filter(([k]) => !k.startsWith('m_msgage_')));
}

async function saved(h: Harness, v: Vehicle, code: string, payload: string, paranoid = false) {
  await h.store.saveMessage(v, stored(code, payload, paranoid ? { paranoid: true, ptoken: 'tok' } : {}));
}

test('GET /api/vehicles: live counts of car, apps (HTTP sessions included) and batch clients', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('B2', 's2');
  await h.addVehicle('A1', 's1');
  const api = new Api(h);
  const car = await h.connect('C', 'A1', 's1');
  await h.connect('A', 'A1', 's1');
  await h.connect('B', 'A1', 's1');
  await car.nextOf('Z');
  const cookie = await api.login();
  await api.call('GET', '/api/vehicle/A1', { cookie });
  const list = assertJson(await api.call('GET', '/api/vehicles', { cookie }), 200, VehicleList);
  assert.deepEqual(list, [
    { id: 'A1', v_apps_connected: 2, v_btcs_connected: 1, v_net_connected: 1 },
    { id: 'B2', v_apps_connected: 0, v_btcs_connected: 0, v_net_connected: 0 },
  ]);
});

test("GET/DELETE /api/vehicle: the session counts in the car's Z; no phantom app without a session", async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO', 's1');
  await saved(h, v, 'S', S_PAYLOAD);
  const api = new Api(h);
  const car = await h.connect('C', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z0');

  // Without a session nothing is registered: the car hears nothing, and a real app then makes Z1.
  const bare = assertJson(await api.withPassword('GET', '/api/vehicle/DEMO'), 200, VehicleConnected);
  assert.deepEqual(withoutAges(bare), {
    m_msgtime_s: '2024-05-01 12:00:00',
    v_apps_connected: 0,
    v_btcs_connected: 0,
    v_car_protocol: 'v2',
    v_first_peer: 1,
    v_net_connected: 1,
  });
  const app = await h.connect('A', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z1');
  await app.close();
  assert.equal(await car.nextOf('Z'), 'Z0');

  const one = await api.login();
  const two = await api.login();
  const first = assertJson(
    await api.call('GET', '/api/vehicle/DEMO', { cookie: one }),
    200,
    VehicleConnected,
  );
  assert.deepEqual(withoutAges(first), {
    m_msgtime_s: '2024-05-01 12:00:00',
    v_apps_connected: 1,
    v_btcs_connected: 0,
    v_car_protocol: 'v2',
    v_first_peer: 1,
    v_net_connected: 1,
  });
  assert.equal(await car.nextOf('Z'), 'Z1');
  const second = assertJson(await api.call('GET', '/api/vehicle/DEMO', { cookie: two }), 200);
  assert.deepEqual(withoutAges(second), { ...withoutAges(first), v_apps_connected: 2, v_first_peer: 0 });
  assert.equal(await car.nextOf('Z'), 'Z2');
  // Connecting twice with one session counts once.
  await api.call('GET', '/api/vehicle/DEMO', { cookie: two });
  assertText(await api.call('DELETE', '/api/vehicle/DEMO', { cookie: one }), 200, 'Disconnect OK');
  assert.equal(await car.nextOf('Z'), 'Z1');
  assertText(await api.call('DELETE', '/api/cookie', { cookie: two }), 200, 'Logout ok');
  assert.equal(await car.nextOf('Z'), 'Z0');
  assertText(await api.withPassword('DELETE', '/api/vehicle/DEMO'), 200, 'Disconnect OK');
  assert.deepEqual(car.pending(), []);
});

test('GET /api/protocol: the stored messages, F and S first, every value a string', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO', 's1');
  await saved(h, v, 'L', L_PAYLOAD);
  await saved(h, v, 'S', S_PAYLOAD);
  await saved(h, v, 'F', '3.3.004,VIN123,25,1,TR,OVMS');
  const api = new Api(h);
  const rows = assertJson(await api.withPassword('GET', '/api/protocol/DEMO'), 200, ProtocolList);
  const row = (m_code: string, m_msg: string) => ({
    m_code,
    m_msg,
    m_msgtime: '2024-05-01 12:00:00',
    m_paranoid: 0,
    m_ptoken: '',
  });
  assert.deepEqual(rows, [row('F', '3.3.004,VIN123,25,1,TR,OVMS'), row('S', S_PAYLOAD), row('L', L_PAYLOAD)]);
});

test('GET /api/status, /api/charge, /api/location, /api/tpms from the stored messages', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  // Nothing stored yet: empty objects.
  for (const path of ['status', 'charge', 'location', 'tpms'])
    assert.deepEqual(assertJson(await api.withPassword('GET', `/api/${path}/DEMO`), 200), {});
  await saved(h, v, 'S', S_PAYLOAD);
  await saved(h, v, 'D', D_PAYLOAD);
  await saved(h, v, 'L', L_PAYLOAD);
  await saved(h, v, 'W', W_PAYLOAD);
  const status = assertJson(await api.withPassword('GET', '/api/status/DEMO'), 200, StatusView);
  assert.deepEqual(withoutAges(status), ages({ ...STATUS_FROM_S, ...STATUS_FROM_D }));
  const text = (await api.withPassword('GET', '/api/status/DEMO')).text;
  assert.match(text, /^\{"alarmsounding":2,"bt_open":0,"cac100":"140",/);
  assert.match(text, /"soc":"80\.5"/);
  const charge = withoutAges(assertJson(await api.withPassword('GET', '/api/charge/DEMO'), 200, ChargeView));
  assert.equal(charge.charge_kwh_grid_total, '1234.5');
  assert.equal(charge.chargetimermode, '0');
  assert.equal(charge.cp_dooropen, 4);
  assert.equal(Object.keys(charge).length, 58);
  const location = withoutAges(
    assertJson(await api.withPassword('GET', '/api/location/DEMO'), 200, LocationView),
  );
  assert.equal(location.latitude, '51.501364');
  assert.equal(location.invefficiency, '93');
  assert.equal(Object.keys(location).length, 15);
  const w = withoutAges(assertJson(await api.withPassword('GET', '/api/tpms/DEMO'), 200, TpmsView));
  assert.deepEqual(w, ages(TPMS_FROM_W));
  await saved(h, v, 'Y', Y_PAYLOAD);
  const y = withoutAges(assertJson(await api.withPassword('GET', '/api/tpms/DEMO'), 200, TpmsView));
  assert.equal(y.fl_pressure_kpa, '230');
  assert.equal(y.fl_pressure, 33.3586796779481);
  assert.equal(y.rl_alert, '1');
  assert.equal(y.m_msgtime_y, '2024-05-01 12:00:00');
  assert.equal(y.staletpms, '1');
});

test('a message the car sends is what the views show (car over protocol v2)', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  const app = await h.connect('A', 'DEMO', 's1');
  car.send('S', S_PAYLOAD);
  await app.nextOf('S');
  await h.store.flush();
  const api = new Api(h);
  const status = assertJson(await api.withPassword('GET', '/api/status/DEMO'), 200, StatusView) as Record<
    string,
    unknown
  >;
  assert.equal(status.soc, '80.5');
  assert.ok((status.m_msgage_s as number) <= 2);
});

test('502 Paranoid vehicles not supported by api', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO', 's1');
  await h.store.setParanoidToken(v, 'tok');
  for (const code of ['S', 'D', 'L', 'Y']) await saved(h, v, code, 'ENCRYPTED', true);
  const api = new Api(h);
  for (const path of ['status', 'charge', 'location', 'tpms'])
    assertText(
      await api.withPassword('GET', `/api/${path}/DEMO`),
      502,
      'Paranoid vehicles not supported by api',
    );
  assertText(await api.withPassword('GET', '/api/lock/DEMO'), 502, 'Paranoid vehicles not supported by api');
  // The raw protocol view still lists them, marked paranoid.
  const rows = assertJson(await api.withPassword('GET', '/api/protocol/DEMO'), 200, ProtocolList) as {
    m_paranoid: number;
  }[];
  assert.ok(rows.length === 4 && rows.every((r) => r.m_paranoid === 1));
});

test('GET /api/historical: summary per type and records of one type, with since', async (t) => {
  const h = await startServer(t);
  const v = await h.addVehicle('DEMO', 's1');
  const at = (s: string) => new Date(`2024-05-0${s}Z`);
  const expires = new Date(Date.now() + 86_400_000);
  const add = (type: string, recno: number, when: string, data: string) =>
    h.store.addHistory(v, { type, recno, timestamp: at(when), data: Buffer.from(data), expires });
  await add('RT-BAT-P', 0, '1T10:00:00', 'a,1');
  await add('RT-BAT-P', 1, '1T10:00:00', 'b,2');
  await add('RT-BAT-P', 0, '2T10:00:00', 'c,3');
  await add('RT-GPS-Log', 5, '3T08:30:00', 'gps');
  const api = new Api(h);
  const summary = assertJson(await api.withPassword('GET', '/api/historical/DEMO'), 200, HistorySummaryList);
  assert.deepEqual(summary, [
    {
      distinctrecs: 2,
      first: '2024-05-01 10:00:00',
      h_recordtype: 'RT-BAT-P',
      last: '2024-05-02 10:00:00',
      totalrecs: 3,
      totalsize: String(3 * ('RT-BAT-P'.length + 3 + 'DEMO'.length + 20)),
    },
    {
      distinctrecs: 1,
      first: '2024-05-03 08:30:00',
      h_recordtype: 'RT-GPS-Log',
      last: '2024-05-03 08:30:00',
      totalrecs: 1,
      totalsize: String('RT-GPS-Log'.length + 3 + 'DEMO'.length + 20),
    },
  ]);
  const since = { since: '2024-05-02 00:00:00' };
  const later = assertJson(
    await api.withPassword('GET', '/api/historical/DEMO', { query: since }),
    200,
  ) as unknown[];
  assert.equal(later.length, 2);
  const records = assertJson(
    await api.withPassword('GET', '/api/historical/DEMO/RT-BAT-P'),
    200,
    HistoryRecordList,
  );
  assert.deepEqual(records, [
    { h_data: 'a,1', h_recordnumber: 0, h_timestamp: '2024-05-01 10:00:00' },
    { h_data: 'b,2', h_recordnumber: 1, h_timestamp: '2024-05-01 10:00:00' },
    { h_data: 'c,3', h_recordnumber: 0, h_timestamp: '2024-05-02 10:00:00' },
  ]);
  const recent = await api.withPassword('GET', '/api/historical/DEMO/RT-BAT-P', { query: since });
  assert.deepEqual(assertJson(recent, 200), [
    { h_data: 'c,3', h_recordnumber: 0, h_timestamp: '2024-05-02 10:00:00' },
  ]);
  assert.deepEqual(assertJson(await api.withPassword('GET', '/api/historical/DEMO/NONE'), 200), []);
  const bad = await api.withPassword('GET', '/api/historical/DEMO', { query: { since: 'yesterday' } });
  assertText(bad, 400, 'Bad request: since is not a time');
});
