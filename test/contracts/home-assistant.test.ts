import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';
import {
  httpsWire,
  integer,
  json,
  numericString,
  OWNER,
  object,
  type Reply,
  sceneWithCar,
  string,
  VEHICLE,
  Wire,
} from './wire.js';

/**
 * Home Assistant: the ovms-hass integration (custom_components/ovms_hass/api.py and coordinator.py)
 * and the REST sensor recipes (rest / command_line sensors against /api/status). ovms-hass logs in
 * with GET /api/cookie, takes the session id from the Set-Cookie header, sends it back as a cookie on
 * every call, and reads a 404 as an expired session (it logs in again and retries once). It converts
 * values by the type it declares: int and float fields through float(), so strings and numbers both
 * do; bool fields through bool() for numbers but `in ("true", "1", "yes", "on")` for strings, so a
 * masked flag (4) must stay a number and a stale flag ("-1", "0", "1") a string, or its meaning flips.
 * Docs: docs/http-api.md "Clients we test against".
 */

/** JSON types ovms-hass depends on, per field: 'num' a JSON number, 'str' a string, 'numstr' a string holding a number. */
type Kind = 'num' | 'str' | 'numstr';

const STATUS: Record<string, Kind> = {
  m_msgtime_s: 'str',
  m_msgage_s: 'num',
  soc: 'numstr',
  units: 'str',
  idealrange: 'numstr',
  idealrange_max: 'numstr',
  estimatedrange: 'numstr',
  mode: 'str',
  chargestate: 'str',
  soh: 'numstr',
  cac100: 'numstr',
  temperature_battery: 'numstr',
  temperature_cabin: 'numstr',
  temperature_ambient: 'numstr',
  temperature_pem: 'numstr',
  temperature_motor: 'numstr',
  temperature_charger: 'numstr',
  tripmeter: 'numstr',
  odometer: 'numstr',
  speed: 'numstr',
  vehicle12v: 'numstr',
  vehicle12v_ref: 'numstr',
  vehicle12v_current: 'numstr',
  // bool fields: masked bit values, numbers (bool(4) is True; "4" would read False)
  charging: 'num',
  caron: 'num',
  carlocked: 'num',
  valetmode: 'num',
  charging_12v: 'num',
  fl_dooropen: 'num',
  fr_dooropen: 'num',
  cp_dooropen: 'num',
  pilotpresent: 'num',
  handbrake: 'num',
  bt_open: 'num',
  tr_open: 'num',
  alarmsounding: 'num',
  // bool fields read from strings: "1" is True, "0" and "-1" False
  staletemps: 'str',
  staleambient: 'str',
};

const CHARGE: Record<string, Kind> = {
  m_msgtime_s: 'str',
  m_msgage_s: 'num',
  linevoltage: 'numstr',
  battvoltage: 'numstr',
  chargecurrent: 'numstr',
  chargepower: 'numstr',
  chargepowerinput: 'numstr',
  chargerefficiency: 'numstr',
  chargetype: 'str',
  chargestate: 'str',
  soc: 'numstr',
  units: 'str',
  idealrange: 'numstr',
  estimatedrange: 'numstr',
  mode: 'str',
  chargelimit: 'numstr',
  chargeduration: 'numstr',
  chargeb4: 'numstr',
  chargekwh: 'numstr',
  chargesubstate: 'str',
  soh: 'numstr',
  cac100: 'numstr',
  charge_etr_full: 'numstr',
  charge_etr_limit: 'numstr',
  charge_limit_range: 'numstr',
  charge_limit_soc: 'numstr',
  cooldown_active: 'str',
  cooldown_tbattery: 'numstr',
  charge_kwh_grid: 'numstr',
  charge_kwh_grid_total: 'numstr',
  batt_capacity: 'numstr',
  batt_current: 'numstr',
};

const LOCATION: Record<string, Kind> = {
  m_msgtime_l: 'str',
  m_msgage_l: 'num',
  latitude: 'numstr',
  longitude: 'numstr',
  direction: 'numstr',
  altitude: 'numstr',
  gpslock: 'str',
  stalegps: 'str',
  speed: 'numstr',
  tripmeter: 'numstr',
  drivemode: 'str',
  power: 'numstr',
  energyused: 'numstr',
  energyrecd: 'numstr',
  invpower: 'numstr',
  invefficiency: 'numstr',
};

/** From the Y record the car sent (wheels fl, fr, rl, rr). */
const TPMS: Record<string, Kind> = {
  m_msgtime_y: 'str',
  m_msgage_y: 'num',
  ...Object.fromEntries(
    ['fl', 'fr', 'rl', 'rr'].flatMap((w) => [
      [`${w}_pressure_kpa`, 'numstr'],
      [`${w}_pressure`, 'num'],
      [`${w}_temperature`, 'numstr'],
    ]),
  ),
  stale_pressure: 'str',
  stale_temperature: 'str',
};

function assertKinds(what: string, body: Record<string, unknown>, kinds: Record<string, Kind>): void {
  for (const [key, kind] of Object.entries(kinds)) {
    if (kind === 'num') assert.equal(typeof body[key], 'number', `${what}.${key} is a JSON number`);
    else if (kind === 'str') string(body, key);
    else numericString(body, key);
  }
}

/** ovms-hass's OVMSApiClient: a session id sent back as a cookie; a 404 means "log in again, retry once". */
class HassClient {
  sessionId: string | undefined;
  logins = 0;
  constructor(private readonly wire: Wire) {}

  async login(): Promise<void> {
    const reply = await this.wire.send('/api/cookie', { query: OWNER, headers: this.cookieHeader() });
    assert.equal(reply.status, 200, reply.text);
    const match = /ovmsapisession=([^;]+)/.exec(String(reply.headers['set-cookie']));
    assert.ok(match, 'Set-Cookie names the session');
    this.sessionId = match[1];
    this.logins++;
  }

  private cookieHeader(): Record<string, string> {
    return this.sessionId ? { cookie: `ovmsapisession=${this.sessionId}` } : {};
  }

  async request(method: string, path: string, query?: Record<string, string>, retry = true): Promise<Reply> {
    const reply = await this.wire.send(path, { method, query, headers: this.cookieHeader() });
    if (reply.status === 404 && retry && path !== '/api/cookie') {
      await this.login();
      return this.request(method, path, query, false);
    }
    return reply;
  }

  async get(path: string, query?: Record<string, string>): Promise<unknown> {
    return json(await this.request('GET', path, query));
  }
}

test('ovms-hass: login, the coordinator poll (status, charge, location, tpms, vehicle) and every field type', async (t) => {
  const s = await sceneWithCar(t);
  const hass = new HassClient(httpsWire(s, false));
  await hass.login();
  const vehicles = (await hass.get('/api/vehicles')) as Record<string, unknown>[];
  // VehicleInfo(**row): any other key would be a TypeError.
  assert.deepEqual(Object.keys(vehicles[0]!).sort(), [
    'id',
    'v_apps_connected',
    'v_btcs_connected',
    'v_net_connected',
  ]);
  assert.equal(string(vehicles[0]!, 'id'), VEHICLE);
  for (const k of ['v_net_connected', 'v_apps_connected', 'v_btcs_connected']) integer(vehicles[0]!, k);

  // One poll: five calls at once.
  const [status, charge, location, tpms, vehicle] = (
    await Promise.all(
      ['status', 'charge', 'location', 'tpms', 'vehicle'].map((p) => hass.get(`/api/${p}/${VEHICLE}`)),
    )
  ).map(object);
  assertKinds('status', status!, STATUS);
  assertKinds('charge', charge!, CHARGE);
  assertKinds('location', location!, LOCATION);
  assertKinds('tpms', tpms!, TPMS);
  for (const k of ['v_net_connected', 'v_apps_connected', 'v_btcs_connected']) integer(vehicle!, k);
  assert.equal(vehicle!.v_net_connected, 1);
  assert.equal(hass.logins, 1, 'no 404 made it log in again');
  // What the entities show.
  assert.equal(Math.trunc(numericString(status!, 'soc')), 80);
  assert.equal(status!.cp_dooropen, 4); // bool(4): plugged in
  assert.equal(status!.staletemps, '1'); // "1": stale
  assert.equal(charge!.cooldown_active, '-1'); // "-1": not active
});

test('ovms-hass: protocol, historical (summary and records, with since), tokens, logout', async (t) => {
  const s = await sceneWithCar(t);
  const v = await s.h.store.getVehicle({ ownerId: s.h.owner.id, vehicleId: VEHICLE });
  const at = new Date(Date.now() - 60_000);
  await s.h.store.addHistory(v!, {
    type: '*-LOG-Trip',
    recno: 3,
    timestamp: at,
    data: Buffer.from('12.5,3.1'),
    expires: new Date(Date.now() + 86_400_000),
  });
  const hass = new HassClient(httpsWire(s, false));
  await hass.login();
  const protocol = (await hass.get(`/api/protocol/${VEHICLE}`)) as Record<string, unknown>[];
  assert.ok(protocol.length >= 5);
  for (const row of protocol) {
    for (const k of ['m_msgtime', 'm_ptoken', 'm_code', 'm_msg']) string(row, k);
    integer(row, 'm_paranoid');
  }
  const summary = (await hass.get(`/api/historical/${VEHICLE}`, { since: '2020-01-01 00:00:00' })) as Record<
    string,
    unknown
  >[];
  const trip = summary.find((r) => r.h_recordtype === '*-LOG-Trip')!;
  assert.ok(trip, 'the summary lists the record type');
  integer(trip, 'distinctrecs');
  integer(trip, 'totalrecs');
  for (const k of ['totalsize', 'first', 'last']) string(trip, k);
  const records = (await hass.get(`/api/historical/${VEHICLE}/*-LOG-Trip`)) as Record<string, unknown>[];
  assert.equal(records.length, 1);
  assert.equal(integer(records[0]!, 'h_recordnumber'), 3);
  assert.equal(string(records[0]!, 'h_data'), '12.5,3.1');
  string(records[0]!, 'h_timestamp');
  // A type with no records is an empty list, not a 404 (which would make it log in again).
  assert.deepEqual(await hass.get(`/api/historical/${VEHICLE}/none`), []);

  // Tokens: create_token puts permit/application/purpose in the query of a POST without a body; the
  // reference reads the form body only, so they are ignored there and here alike.
  const created = object(
    json(await hass.request('POST', '/api/token', { permit: 'auth', application: 'hass' }), 201),
  );
  assert.deepEqual(
    { application: created.application, permit: created.permit, purpose: created.purpose },
    { application: 'notspecified', permit: 'auth', purpose: 'notspecified' },
  );
  const tokens = (await hass.get('/api/token')) as Record<string, unknown>[];
  assert.equal(tokens.length, 1);
  for (const k of ['owner', 'token', 'application', 'purpose', 'permit', 'created', 'refreshed', 'lastused'])
    string(tokens[0]!, k);
  const deleted = object(json(await hass.request('DELETE', `/api/token/${string(created, 'token')}`)));
  assert.equal(deleted.owner, OWNER.username);
  assert.deepEqual(await hass.get('/api/token'), []);
  assert.equal(hass.logins, 1, 'no 404 on any of its calls');

  const logout = await hass.request('DELETE', '/api/cookie');
  assert.equal(logout.status, 200);
  // A vehicle that has sent nothing yet: {} (its entities stay unknown), not a 404.
  await s.h.addVehicle('EMPTY', 'another-secret');
  await hass.login();
  assert.deepEqual(await hass.get('/api/status/EMPTY'), {});
});

test('ovms-hass: a 404 makes it log in again with its old cookie; the new session replaces the old one', async (t) => {
  const s = await sceneWithCar(t);
  const hass = new HassClient(httpsWire(s, false));
  await hass.login();
  const old = hass.sessionId;
  // A route the server does not have answers 404 whatever the session: ovms-hass logs in once more
  // and retries once.
  const reply = await hass.request('GET', `/api/nosuchcall/${VEHICLE}`);
  assert.equal(reply.status, 404);
  assert.equal(reply.text, 'Unrecognised API call\n');
  assert.equal(hass.logins, 2);
  assert.notEqual(hass.sessionId, old);
  // The old session ended when the new one was made (its virtual app too); the new one works.
  const stale = await httpsWire(s, false).send(`/api/status/${VEHICLE}`, {
    headers: { cookie: `ovmsapisession=${old}` },
  });
  assert.equal(stale.status, 404);
  assert.equal(stale.text, 'Session expired\n');
  assert.equal(numericString(object(await hass.get(`/api/status/${VEHICLE}`)), 'soc'), 80.5);
});

test('an expired session answers 404 Session expired: ovms-hass logs in again and its poll carries on', async (t) => {
  // About the session lifetime itself, so it is set low here: http.session_timeout 1 s.
  const h = await startServer(t, { settings: { 'http.session_timeout': 1 } });
  await h.addVehicle(VEHICLE, 'car-secret');
  const hass = new HassClient(new Wire(h.httpPort, undefined, false));
  await hass.login();
  assert.equal((await hass.request('GET', `/api/status/${VEHICLE}`)).status, 200);
  // Only time without a request ends it (each request extends it), so there is no event to await.
  await new Promise((resolve) => setTimeout(resolve, 1300));
  const stale = await new Wire(h.httpPort, undefined, false).send(`/api/status/${VEHICLE}`, {
    headers: { cookie: `ovmsapisession=${hass.sessionId}` },
  });
  assert.equal(stale.status, 404);
  assert.equal(stale.text, 'Session expired\n');
  assert.equal(stale.headers['content-type'], 'text/plain; charset=utf-8');
  // The reference answered 401 here, which ovms-hass reports as an error for ever; now it logs in again.
  const after = await hass.request('GET', `/api/status/${VEHICLE}`);
  assert.equal(after.status, 200);
  assert.equal(hass.logins, 2);
});

test('ovms-hass keeps its session across a server restart (sessions are stored)', async (t) => {
  const h = await startServer(t);
  await h.addVehicle(VEHICLE, 'car-secret');
  const hass = new HassClient(new Wire(h.httpPort, undefined, false));
  await hass.login();
  await h.restart();
  const hass2 = new HassClient(new Wire(h.httpPort, undefined, false));
  hass2.sessionId = hass.sessionId;
  assert.equal((await hass2.request('GET', `/api/status/${VEHICLE}`)).status, 200);
  assert.equal(hass2.logins, 0, 'no new login was needed');
});

test('Home Assistant REST sensors: /api/status and /api/location with a default (reading) token in the query', async (t) => {
  const s = await sceneWithCar(t);
  const wire = httpsWire(s, false);
  const form = new URLSearchParams({ application: 'homeassistant' }).toString();
  const made = await wire.send('/api/token', {
    method: 'POST',
    query: OWNER,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const token = string(object(json(made, 201)), 'token');
  const query = { username: OWNER.username, password: token };
  // sensor: value_template "{{ value_json.soc | float }}", json_attributes from the same answer.
  const status = object(json(await wire.send(`/api/status/${VEHICLE}`, { query })));
  assert.equal(numericString(status, 'soc'), 80.5);
  numericString(status, 'estimatedrange');
  numericString(status, 'odometer');
  string(status, 'chargestate');
  // binary_sensor: "{{ value_json.charging > 0 }}" needs a number.
  assert.ok(integer(status, 'charging') > 0);
  // device_tracker / template: latitude and longitude as strings that | float reads.
  const location = object(json(await wire.send(`/api/location/${VEHICLE}`, { query })));
  assert.equal(numericString(location, 'latitude'), 51.501364);
  assert.equal(numericString(location, 'longitude'), -0.14189);
  // The reading token cannot change anything.
  const lock = await wire.send(`/api/lock/${VEHICLE}`, { method: 'PUT', query });
  assert.equal(lock.status, 403);
});

test('Home Assistant command_line recipe: curl -c jar /api/cookie, then curl -b jar /api/status', async (t) => {
  const s = await sceneWithCar(t);
  const jar = httpsWire(s, true);
  const login = await jar.send('/api/cookie', { query: OWNER });
  assert.equal(login.text, 'Login ok\n');
  const status = object(json(await jar.send(`/api/status/${VEHICLE}`)));
  assert.equal(numericString(status, 'soc'), 80.5);
  assert.equal((await jar.send('/api/cookie', { method: 'DELETE' })).text, 'Logout ok\n');
});
