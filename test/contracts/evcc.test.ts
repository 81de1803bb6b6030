import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  httpsWire,
  httpWire,
  integer,
  integerString,
  json,
  numericString,
  OWNER,
  object,
  type Reply,
  sceneWithCar,
  string,
  VEHICLE,
  type Wire,
} from './wire.js';

/**
 * evcc's OVMS vehicle (vehicle/ovms.go), replayed request by request: HTTPS on 6869, a cookie jar,
 * user and password in the query of GET /api/cookie, then /api/vehicle, /api/charge, /api/status and
 * /api/location read into Go structs. Go's encoding/json is strict about types: an `int` field refuses
 * "4" and 4.5, a `,string` field refuses an unquoted number, so each field is checked for the exact
 * JSON type evcc declares. Docs: docs/http-api.md "Clients we test against".
 */

/** Any answer outside 2xx is an error to evcc's request helper (it then logs in again). */
function ok(reply: Reply): boolean {
  return reply.status >= 200 && reply.status < 300;
}

/** evcc's charge struct: charge_etr_full int64,string; chargestate string; cp_dooropen int; estimatedrange string; m_msgage_s int; soc float64,string. */
function chargeAsEvccReadsIt(body: Record<string, unknown>) {
  return {
    etrFull: integerString(body, 'charge_etr_full'),
    chargeState: string(body, 'chargestate'),
    portOpen: integer(body, 'cp_dooropen'),
    // Range() parses it with strconv.ParseInt: an integer in a string.
    range: integerString(body, 'estimatedrange'),
    age: integer(body, 'm_msgage_s'),
    soc: numericString(body, 'soc'),
    units: string(body, 'units'),
  };
}

/** The connect, charge, status and location calls, after the first charge read failed without a cookie. */
async function evccReads(wire: Wire, credentials: { username: string; password: string }) {
  // batteryAPI: the charge read comes first; without a session it fails and evcc logs in.
  const first = await wire.send(`/api/charge/${VEHICLE}`);
  assert.equal(first.status, 401);
  const login = await wire.send('/api/cookie', { query: credentials });
  assert.ok(ok(login), login.text);
  assert.ok(wire.cookies.has('ovmsapisession'), 'the jar holds the session cookie');
  // authFlow: connect as an app; v_net_connected == 1 means the car is online.
  const connected = object(json(await wire.send(`/api/vehicle/${VEHICLE}`)));
  const online = integer(connected, 'v_net_connected') === 1;
  const charge = chargeAsEvccReadsIt(object(json(await wire.send(`/api/charge/${VEHICLE}`))));
  // statusAPI: odometer float64,string, in tenths (evcc divides by 10).
  const status = object(json(await wire.send(`/api/status/${VEHICLE}`)));
  const odometer = numericString(status, 'odometer') / 10;
  string(status, 'units');
  // locationAPI: latitude and longitude float64,string.
  const location = object(json(await wire.send(`/api/location/${VEHICLE}`)));
  const position = [numericString(location, 'latitude'), numericString(location, 'longitude')];
  return { online, charge, odometer, position };
}

function assertCarValues(read: Awaited<ReturnType<typeof evccReads>>): void {
  assert.equal(read.online, true, 'the car is connected');
  assert.deepEqual(read.charge, {
    etrFull: 60,
    chargeState: 'charging', // evcc: status C
    portOpen: 4, // > 0: evcc status B at least
    range: 200,
    age: read.charge.age,
    soc: 80.5,
    units: 'K',
  });
  assert.ok(read.charge.age >= 0 && read.charge.age < 30, `fresh data: ${read.charge.age} s`);
  assert.equal(read.odometer, 4567.89);
  assert.deepEqual(read.position, [51.501364, -0.14189]);
}

test('evcc over HTTPS (6869) with the account password: login, connect, charge, status, location', async (t) => {
  const s = await sceneWithCar(t);
  const wire = httpsWire(s, true);
  assertCarValues(await evccReads(wire, OWNER));
  // The HTTP session counts as an app: the car was told so (and sends faster).
  assert.equal(await s.car.nextOf('Z'), 'Z1');
  // The next cached read reuses the session: no new login.
  const again = object(json(await wire.send(`/api/charge/${VEHICLE}`)));
  assert.equal(numericString(again, 'soc'), 80.5);
});

test('evcc with an API token: a token made with session (as with the reference); the default token may not log in', async (t) => {
  const s = await sceneWithCar(t);
  const admin = httpsWire(s, false);
  const make = async (permit?: string) => {
    const form = new URLSearchParams({ application: 'evcc', ...(permit ? { permit } : {}) }).toString();
    const reply = await admin.send('/api/token', {
      method: 'POST',
      query: OWNER,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    return string(object(json(reply, 201)), 'token');
  };
  const withSession = await make('auth,session');
  assertCarValues(await evccReads(httpsWire(s, true), { username: OWNER.username, password: withSession }));
  // The default permit (auth) reads but has no `session` right: GET /api/cookie is refused, as the
  // reference refuses it (IsPermitted('auth', 'session') is false).
  const plain = await make();
  const refused = await httpsWire(s, true).send('/api/cookie', {
    query: { username: OWNER.username, password: plain },
  });
  assert.equal(refused.status, 403);
  assert.equal(refused.text, 'Insufficient rights\n');
});

test('older evcc releases (HTTP 6868): connect, charge, then DELETE /api/vehicle and DELETE /api/cookie', async (t) => {
  const s = await sceneWithCar(t);
  const wire = httpWire(s, true);
  assert.ok(ok(await wire.send('/api/cookie', { query: OWNER })));
  assert.equal(integer(object(json(await wire.send(`/api/vehicle/${VEHICLE}`))), 'v_net_connected'), 1);
  assert.equal(await s.car.nextOf('Z'), 'Z1');
  const charge = chargeAsEvccReadsIt(object(json(await wire.send(`/api/charge/${VEHICLE}`))));
  assert.equal(charge.soc, 80.5);
  const disconnect = await wire.send(`/api/vehicle/${VEHICLE}`, { method: 'DELETE' });
  assert.ok(ok(disconnect), disconnect.text);
  assert.equal(await s.car.nextOf('Z'), 'Z0');
  const logout = await wire.send('/api/cookie', { method: 'DELETE' });
  assert.ok(ok(logout), logout.text);
  assert.equal(logout.text, 'Logout ok\n');
  // The session has gone: the next read fails (404 `Session expired` for its stale cookie; evcc takes
  // any error as "log in again").
  const after = await wire.send(`/api/charge/${VEHICLE}`);
  assert.ok(!ok(after));
  assert.equal(after.status, 404);
});
