import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fakeAbrp, OK, UNAUTHORIZED_TOKEN } from '../helpers/fake-abrp.js';
import { startServer } from '../helpers/harness.js';
import { testSecrets } from '../helpers/log-secrets.js';
import { Api, assertJson } from '../http/api-client.js';
import { KM_LINES, MILES_LINES } from '../protocol/v3/fixtures.js';

const API_KEY = 'operator-abrp-api-key-0001';
const KM_TOKEN = 'abrp-token-km-0123456789';
const MI_TOKEN = 'abrp-token-mi-0123456789';
testSecrets.literal(API_KEY, 'ABRP API key');
testSecrets.literal(KM_TOKEN, 'ABRP token');
testSecrets.literal(MI_TOKEN, 'ABRP token');

/** Sends a v2 line as the car would (code first). */
function report(car: { send(code: string, payload?: string): void }, line: string): void {
  car.send(line[0]!, line.slice(1));
}

/**
 * A server whose ABRP endpoint is a local fake. Intervals are cut to a fraction of a second so the
 * tests stay fast (defaults: 10 s while driving or charging, 30 min parked); everything else,
 * retries and breaker included, keeps its default unless a test is about it.
 */
async function abrpServer(
  t: Parameters<typeof startServer>[0],
  settings: Record<string, string | number> = {},
) {
  const abrp = await fakeAbrp(t);
  const h = await startServer(t, {
    settings: { 'abrp.api_key': API_KEY, 'abrp.url': abrp.url, 'abrp.interval_s': 0.05, ...settings },
  });
  const api = new Api(h);
  const cookie = await api.login();
  return { abrp, h, api, cookie };
}

const hasAll = (tlm: Record<string, unknown>) => 'lat' in tlm && 'odometer' in tlm && 'power' in tlm;

describe('ABRP live telemetry', () => {
  test('every field reaches ABRP with the api key and each vehicle its own token, in km for km and miles cars', async (t) => {
    const { abrp, h, api, cookie } = await abrpServer(t);
    await h.addVehicle('KMCAR', 'km-car-secret');
    await h.addVehicle('MICAR', 'mi-car-secret');
    for (const [id, token] of [
      ['KMCAR', KM_TOKEN],
      ['MICAR', MI_TOKEN],
    ] as const) {
      const stored = await api.call('PUT', `/api/vehicle/${id}/abrp`, { cookie, body: { token } });
      assert.equal(stored.status, 200, stored.text);
      assert.equal(stored.text.trimEnd(), 'ABRP token stored');
    }

    const km = await h.connect('C', 'KMCAR', 'km-car-secret');
    const before = Math.floor(Date.now() / 1000);
    for (const line of [KM_LINES.S, KM_LINES.D, KM_LINES.L]) report(km, line);
    const kmSent = await abrp.nextWhere((r) => hasAll(r.tlm));
    assert.equal(kmSent.method, 'POST');
    assert.equal(kmSent.path, '/1/tlm/send');
    assert.match(kmSent.contentType, /application\/x-www-form-urlencoded/);
    assert.equal(kmSent.apiKey, API_KEY);
    assert.equal(kmSent.token, KM_TOKEN);
    const { utc, ...fields } = kmSent.tlm;
    assert.ok(typeof utc === 'number' && Number.isInteger(utc), 'utc: whole epoch seconds');
    assert.ok(utc >= before && utc <= Math.ceil(Date.now() / 1000), 'utc: when the car reported');
    assert.deepEqual(fields, {
      soc: 80.5,
      power: -7.2,
      speed: 0,
      lat: 51.503364,
      lon: -0.119519,
      elevation: 15,
      heading: 270,
      is_charging: 1,
      is_dcfc: 0,
      is_parked: 1,
      ext_temp: 18,
      batt_temp: 22,
      cabin_temp: 21,
      voltage: 390.5,
      current: -18.4,
      odometer: 45678.9,
      est_battery_range: 250,
      soh: 98,
      capacity: 58,
      kwh_charged: 5.2,
    });
    // A charging car counts as an app while linked: the module reports every minute, not every ten.
    assert.equal(await km.nextOf('Z'), 'Z0', 'at login: no app');
    assert.equal(await km.nextOf('Z'), 'Z1');

    const mi = await h.connect('C', 'MICAR', 'mi-car-secret');
    for (const line of [MILES_LINES.S, MILES_LINES.D, MILES_LINES.L]) report(mi, line);
    const miSent = await abrp.nextWhere((r) => r.token === MI_TOKEN && hasAll(r.tlm));
    assert.equal(miSent.apiKey, API_KEY);
    assert.equal(miSent.tlm.odometer, 45678.7, '283834 tenths of a mile');
    assert.equal(miSent.tlm.est_battery_range, 249.4, '155 miles');
    assert.equal(miSent.tlm.soc, 80.5);

    const state = assertJson(await api.call('GET', '/api/vehicle/KMCAR/abrp', { cookie }), 200) as Record<
      string,
      unknown
    >;
    assert.deepEqual(state, {
      enabled: true,
      linked: true,
      refused: false,
      error: '',
      error_time: '',
      updated: state.updated,
    });
    assert.ok(!JSON.stringify(state).includes(KM_TOKEN), 'the token is never shown');
  });

  test('a refused token stops the sends and shows the error to the owner; a new token resumes', async (t) => {
    const { abrp, h, api, cookie } = await abrpServer(t);
    await h.addVehicle('CAR1', 'car1-secret');
    await api.call('PUT', '/api/vehicle/CAR1/abrp', { cookie, body: { token: KM_TOKEN } });
    abrp.answer(UNAUTHORIZED_TOKEN);
    const car = await h.connect('C', 'CAR1', 'car1-secret');
    report(car, KM_LINES.S);
    assert.equal((await abrp.next()).token, KM_TOKEN);

    let state: Record<string, unknown> = {};
    for (let i = 0; i < 100 && state.refused !== true; i++)
      state = assertJson(await api.call('GET', '/api/vehicle/CAR1/abrp', { cookie }), 200) as Record<
        string,
        unknown
      >;
    assert.equal(state.refused, true);
    assert.equal(state.error, 'ABRP refused the token (HTTP 401: 401 Unauthorized Token)');
    assert.ok(Date.parse(String(state.error_time)) > 0);
    // The car goes on reporting; nothing reaches ABRP until the owner stores a new token.
    report(car, KM_LINES.D);
    report(car, KM_LINES.L);
    await api.call('PUT', '/api/vehicle/CAR1/abrp', { cookie, form: { token: MI_TOKEN } });
    report(car, KM_LINES.S);
    const resumed = await abrp.next();
    assert.equal(resumed.token, MI_TOKEN, 'no send with the refused token came in between');
    assert.equal(
      h.logs.filter((l) => l.includes('ABRP refused the token')).length,
      1,
      'one log line for the refusal',
    );
    const cleared = assertJson(await api.call('GET', '/api/vehicle/CAR1/abrp', { cookie }), 200) as Record<
      string,
      unknown
    >;
    assert.equal(cleared.refused, false);
  });

  test('server errors are retried with growing waits, and the newest state goes out', async (t) => {
    // abrp.retry_base_s cut to 0.1 s so three attempts take well under a second.
    const { abrp, h, api, cookie } = await abrpServer(t, { 'abrp.retry_base_s': 0.1 });
    await h.addVehicle('CAR1', 'car1-secret');
    await api.call('PUT', '/api/vehicle/CAR1/abrp', { cookie, body: { token: KM_TOKEN } });
    abrp.answer({ status: 500, body: 'busy' }, { status: 503, body: 'busy' }, OK);
    const car = await h.connect('C', 'CAR1', 'car1-secret');
    report(car, KM_LINES.S);
    const first = await abrp.next();
    const second = await abrp.next();
    const third = await abrp.next();
    assert.deepEqual(second.tlm, first.tlm);
    assert.ok(second.at - first.at >= 100, `first retry after retry_base (${second.at - first.at} ms)`);
    assert.ok(third.at - second.at >= 200, `then twice as long (${third.at - second.at} ms)`);
    const state = assertJson(await api.call('GET', '/api/vehicle/CAR1/abrp', { cookie }), 200) as Record<
      string,
      unknown
    >;
    assert.equal(state.error, '', 'two failures are below the breaker: nothing to show the owner');
  });

  test('a vehicle without a token, or a server without an API key, sends nothing', async (t) => {
    const { abrp, h, api, cookie } = await abrpServer(t);
    await h.addVehicle('PLAIN', 'plain-secret');
    await h.addVehicle('LINKED', 'linked-secret');
    await api.call('PUT', '/api/vehicle/LINKED/abrp', { cookie, body: { token: KM_TOKEN } });
    const plain = await h.connect('C', 'PLAIN', 'plain-secret');
    for (const line of [KM_LINES.S, KM_LINES.D, KM_LINES.L]) report(plain, line);
    const linked = await h.connect('C', 'LINKED', 'linked-secret');
    report(linked, KM_LINES.S);
    const sent = await abrp.next();
    assert.equal(sent.token, KM_TOKEN, 'the unlinked car reported first, and nothing of it was sent');
    assert.equal(abrp.requests.filter((r) => r.token !== KM_TOKEN).length, 0);

    // Off: no API key. A token can be stored, and the owner is told nothing is sent.
    const off = await fakeAbrp(t);
    const h2 = await startServer(t, { settings: { 'abrp.url': off.url, 'abrp.interval_s': 0.05 } });
    assert.equal(h2.server.abrp.enabled, false);
    const api2 = new Api(h2);
    const cookie2 = await api2.login();
    await h2.addVehicle('CAR2', 'car2-secret');
    const stored = await api2.call('PUT', '/api/vehicle/CAR2/abrp', {
      cookie: cookie2,
      body: { token: KM_TOKEN },
    });
    assert.equal(
      stored.text.trimEnd(),
      'ABRP token stored; this server does not send to ABRP (abrp.api_key is not set)',
    );
    const car2 = await h2.connect('C', 'CAR2', 'car2-secret');
    for (const line of [KM_LINES.S, KM_LINES.D, KM_LINES.L]) report(car2, line);
    car2.send('A');
    assert.equal(await car2.nextOf('a'), 'a');
    assert.equal(h2.server.hub.stats().apps, 0);
    assert.deepEqual(off.requests, []);
    const state = assertJson(
      await api2.call('GET', '/api/vehicle/CAR2/abrp', { cookie: cookie2 }),
      200,
    ) as Record<string, unknown>;
    assert.equal(state.enabled, false);
    assert.equal(state.linked, true);
  });

  test('the token needs the owner: bad tokens are refused, read-only and control tokens may not set it, removal stops it', async (t) => {
    const { h, api, cookie } = await abrpServer(t);
    await h.addVehicle('CAR1', 'car1-secret');
    const bad = await api.call('PUT', '/api/vehicle/CAR1/abrp', { cookie, body: { token: 'has space' } });
    assert.equal(bad.status, 400);
    assert.match(bad.text, /printable characters without spaces/);
    const readOnly = assertJson(
      await api.withPassword('POST', '/api/token', { body: { permit: 'auth' } }),
      201,
    ) as { token: string };
    const control = assertJson(
      await api.withPassword('POST', '/api/token', { body: { permit: 'vehicle.control' } }),
      201,
    ) as { token: string };
    for (const t of [readOnly.token, control.token]) {
      const refused = await api.call('PUT', '/api/vehicle/CAR1/abrp', {
        headers: { authorization: `Bearer ${t}` },
        body: { token: KM_TOKEN },
      });
      assert.equal(refused.status, 403);
    }
    const readable = await api.call('GET', '/api/vehicle/CAR1/abrp', {
      headers: { authorization: `Bearer ${readOnly.token}` },
    });
    assert.equal(readable.status, 200, 'reading the state is a read right');
    assert.equal((await api.call('DELETE', '/api/vehicle/CAR1/abrp', { cookie })).status, 404);
    await api.call('PUT', '/api/vehicle/CAR1/abrp', { cookie, body: { token: KM_TOKEN } });
    const removed = await api.call('DELETE', '/api/vehicle/CAR1/abrp', { cookie });
    assert.equal(removed.text.trimEnd(), 'ABRP token removed');
    assert.equal(await h.store.getAbrpLink({ ownerId: h.owner.id, vehicleId: 'CAR1' }), undefined);
  });
});
