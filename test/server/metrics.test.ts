import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { hashApiToken, hashPassword } from '../../src/auth/passwords.js';
import { ListenError } from '../../src/server/listen-error.js';
import { OvmsServer } from '../../src/server/ovms-server.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { type Family, parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';

/** An admin owner (`owner add --admin`) and an API token of theirs with `permit`. */
async function adminToken(h: Harness, permit: string, token: string): Promise<string> {
  let admin = await h.store.getOwnerByName('operator');
  admin ??= await h.store.createOwner({
    name: 'operator',
    passwordHash: await hashPassword('operator-password'),
    admin: true,
  });
  await h.store.createApiToken({
    ownerId: admin.id,
    tokenHash: hashApiToken(token),
    application: 'prometheus',
    purpose: 'metrics',
    permit,
  });
  return token;
}

async function scrape(h: Harness): Promise<Map<string, Family>> {
  const res = await fetch(`http://127.0.0.1:${h.server.ports.metrics}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

const value = (f: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
  sampleValue(f, name, labels) ?? 0;

test('metrics are off by default: GET /metrics answers 404 and no metrics port opens', async (t) => {
  const h = await startServer(t);
  const token = await adminToken(h, 'admin', 'admin-token-off');
  const res = await fetch(`http://127.0.0.1:${h.httpPort}/metrics`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 404);
  assert.equal(h.server.metrics, undefined);
  assert.equal(h.server.ports.metrics, 0);
});

test('GET /metrics on the HTTP port: 401 without credentials, 403 unless an admin owner with the admin right, 200 then', async (t) => {
  const h = await startServer(t, { settings: { 'metrics.enabled': true } });
  const url = `http://127.0.0.1:${h.httpPort}/metrics`;
  const get = (token?: string) =>
    fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {}).then(async (r) => ({
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      body: await r.text(),
    }));

  assert.equal((await get()).status, 401);
  assert.equal((await get('not-a-token')).status, 401);
  // An owner who is not an operator, even with every right.
  await h.store.createApiToken({
    ownerId: h.owner.id,
    tokenHash: hashApiToken('owner-star-token'),
    application: 'test',
    purpose: 'test',
    permit: '*',
  });
  const notAdmin = await get('owner-star-token');
  assert.deepEqual([notAdmin.status, notAdmin.body.trim()], [403, 'Insufficient rights']);
  // An operator's token without the admin right (a read-only token, say).
  assert.equal((await get(await adminToken(h, 'vehicle.read', 'admin-read-token'))).status, 403);

  const ok = await get(await adminToken(h, 'admin', 'admin-metrics-token'));
  assert.equal(ok.status, 200);
  assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusText(ok.body);
  assert.equal(families.get('ovms_logins_total')?.type, 'counter');
  assert.equal(families.get('ovms_command_round_trip_seconds')?.type, 'histogram');
  assert.ok(value(families, 'process_resident_memory_bytes') > 0);
  // The metrics port opens only when metrics.listen (or a test's port) asks for it.
  assert.equal(h.server.ports.metrics, 0);
});

test('the counters follow a car, an app, a refused login and a command; the scrape is strict Prometheus text', async (t) => {
  const h = await startServer(t, { metrics: true });
  await h.addVehicle('METR1', 's1');
  const before = await scrape(h);
  // The figures read from the database are in the very first scrape, each of them.
  assert.equal(sampleValue(before, 'ovms_push_queue_items'), 0);
  assert.ok((sampleValue(before, 'ovms_database_size_bytes') ?? 0) > 0);

  const car = await h.connect('C', 'METR1', 's1');
  const app = await h.connect('A', 'METR1', 's1');
  await app.nextOf('Z');
  car.send('S', '80,K,230,16,done,standard,320,300');
  car.send('D', '0,0,0,0,0,0');
  car.send('S', '81,K,230,16,done,standard,321,301');
  assert.match(await app.nextOf('S'), /^S80/);
  assert.match(await app.nextOf('S'), /^S81/);
  const reply = app.client.command(7, ['stat']);
  assert.equal(await car.nextOf('C'), 'C7,stat');
  car.send('c', '7,0,ok');
  assert.equal((await reply).result, 0);
  const wrong = h.client('C', 'METR1', 'wrong-secret');
  await assert.rejects(wrong.client.connect());
  await h.store.flush();

  const after = await scrape(h);
  const delta = (name: string, labels: Record<string, string> = {}) =>
    value(after, name, labels) - value(before, name, labels);

  assert.equal(delta('ovms_logins_total', { result: 'ok', kind: 'car' }), 1);
  assert.equal(delta('ovms_logins_total', { result: 'ok', kind: 'app' }), 1);
  assert.equal(delta('ovms_logins_total', { result: 'refused', kind: 'car' }), 1);
  assert.equal(delta('ovms_messages_received_total', { from: 'car', code: 'S' }), 2);
  assert.equal(delta('ovms_messages_received_total', { from: 'car', code: 'D' }), 1);
  assert.equal(delta('ovms_messages_received_total', { from: 'car', code: 'c' }), 1);
  assert.equal(delta('ovms_messages_received_total', { from: 'app', code: 'C' }), 1);
  // One app: each S relayed once, each stored message followed by T0.
  assert.equal(delta('ovms_messages_relayed_total', { code: 'S' }), 2);
  assert.ok(delta('ovms_messages_relayed_total', { code: 'T' }) >= 3);
  assert.equal(delta('ovms_commands_sent_total'), 1);
  assert.equal(delta('ovms_commands_answered_total'), 1);
  assert.equal(delta('ovms_command_round_trip_seconds_count'), 1);
  assert.equal(value(after, 'ovms_connections', { kind: 'car', transport: 'tcp' }), 1);
  assert.equal(value(after, 'ovms_connections', { kind: 'app', transport: 'tcp' }), 1);
  assert.ok(delta('ovms_bus_published_total') > 0);
  assert.equal(value(after, 'ovms_bus_nodes'), 1);
  // The three messages were stored in committed batches.
  assert.ok(delta('ovms_store_writes_committed_total') >= 3);
  assert.ok(delta('ovms_store_batch_writes_sum') >= 3);
  assert.ok(delta('ovms_store_commit_seconds_count') >= 1);
  assert.equal(delta('ovms_store_write_seconds_count'), delta('ovms_store_commit_seconds_count'));
  assert.ok(value(after, 'ovms_database_size_bytes') > 0);
  // Unknown figures are absent, never a false 0: SQLite has no cheap history count; no TLS here.
  if (h.store.kind === 'sqlite') assert.equal(sampleValue(after, 'ovms_history_rows'), undefined);
  assert.equal(sampleValue(after, 'ovms_tls_certificate_expiry_timestamp_seconds'), undefined);
  assert.equal(value(after, 'ovms_push_queue_items'), 0);
  assert.equal(value(after, 'ovms_listener_state', { listener: 'v2', state: 'listening' }), 1);
  assert.equal(value(after, 'ovms_listener_state', { listener: 'mqtt', state: 'off' }), 1);
  assert.ok(value(after, 'nodejs_eventloop_lag_seconds') >= 0);
  assert.ok(after.has('nodejs_eventloop_lag_p99_seconds'));
  assert.ok(value(after, 'process_resident_memory_bytes') > 0);
  assert.equal(
    value(after, 'ovms_info', {
      node: h.server.hub.bus.nodeId,
      version: h.server.hub.version,
      store: h.store.kind,
      bus: 'local',
    }),
    1,
  );

  // No label names a vehicle or an owner.
  const text = await (await fetch(`http://127.0.0.1:${h.server.ports.metrics}/metrics`)).text();
  assert.doesNotMatch(text, /METR1|"owner"/);
});

test('the metrics listener serves GET /metrics only', async (t) => {
  const h = await startServer(t, { metrics: true });
  const base = `http://127.0.0.1:${h.server.ports.metrics}`;
  assert.equal((await fetch(`${base}/`)).status, 404);
  assert.equal((await fetch(`${base}/health`)).status, 404);
  assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  // /health (on the HTTP port) and the listener gauge show it.
  const health = (await (await fetch(`http://127.0.0.1:${h.httpPort}/health`)).json()) as {
    listeners: Record<string, unknown>;
  };
  assert.deepEqual(health.listeners.metrics, { state: 'listening', port: h.server.ports.metrics });
  const scraped = await scrape(h);
  assert.equal(value(scraped, 'ovms_listener_state', { listener: 'metrics', state: 'listening' }), 1);
});

test('a login refused for too many failures (limits.auth_failures) is counted as throttled', async (t) => {
  const h = await startServer(t, { metrics: true });
  await h.addVehicle('METR2', 's2');
  const failures = h.config.limits.authFailures;
  for (let i = 0; i < failures; i++)
    await assert.rejects(h.client('C', 'METR2', `wrong-${i}`).client.connect());
  // Blocked now, even with the right secret.
  await assert.rejects(h.client('C', 'METR2', 's2').client.connect());
  const after = await scrape(h);
  assert.equal(value(after, 'ovms_logins_total', { result: 'refused', kind: 'car' }), failures);
  assert.equal(value(after, 'ovms_logins_total', { result: 'throttled', kind: 'car' }), 1);
  assert.equal(value(after, 'ovms_logins_total', { result: 'ok', kind: 'car' }), 0);
});

test('HTTP API password checks count as http logins, /mqapi/auth as mqtt logins', async (t) => {
  const h = await startServer(t, { metrics: true });
  const http = `http://127.0.0.1:${h.httpPort}`;
  const post = (path: string, body: object) =>
    fetch(`${http}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.status);
  const logins = async (kind: string) => {
    const f = await scrape(h);
    return ['ok', 'refused', 'throttled'].map((result) => value(f, 'ovms_logins_total', { result, kind }));
  };
  assert.equal(await post('/api/cookie', { username: 'owner', password: 'owner-password' }), 200);
  assert.equal(await post('/api/cookie', { username: 'owner', password: 'wrong' }), 401);
  assert.equal((await fetch(`${http}/api/vehicles?username=owner&password=wrong`)).status, 401);
  assert.deepEqual(await logins('http'), [1, 2, 0]);
  // Another account, never logged in from here: after its free failures, a try must wait (429).
  await h.addOwner('victim', 'victim-password');
  let failures = 0;
  let status = 401;
  while (status === 401 && failures <= h.config.limits.account.failures + 1) {
    status = await post('/api/cookie', { username: 'victim', password: `guess-${failures}` });
    if (status === 401) failures++;
  }
  assert.equal(status, 429);
  assert.ok(failures >= h.config.limits.account.failures);
  assert.deepEqual(await logins('http'), [1, 2 + failures, 1]);
  // An external broker asking for an MQTT client: counted as an MQTT login.
  await h.addOwner('mqtt-user', 'mqtt-password');
  assert.equal(await post('/mqapi/auth', { username: 'mqtt-user', password: 'mqtt-password' }), 200);
  assert.equal(await post('/mqapi/auth', { username: 'mqtt-user', password: 'nope' }), 403);
  assert.deepEqual(await logins('mqtt'), [1, 1, 0]);
});

test('a metrics port that cannot be opened stops the start, naming the metrics listener; the API documents GET /metrics', async (t) => {
  const h = await startServer(t, { metrics: true });
  const doc = (await (await fetch(`http://127.0.0.1:${h.httpPort}/api/openapi.json`)).json()) as {
    paths: Record<string, unknown>;
  };
  assert.ok('/metrics' in doc.paths);
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => taken.close(() => resolve())));
  const port = (taken.address() as net.AddressInfo).port;
  const second = new OvmsServer({
    config: h.config,
    store: h.store,
    log: h.server.log,
    listen: { metrics: port },
  });
  const failed = await second.start().then(
    () => undefined,
    (err: unknown) => err,
  );
  await second.stop();
  assert.ok(failed instanceof ListenError);
  assert.deepEqual([failed.listener, failed.port, failed.code], ['metrics', port, 'EADDRINUSE']);
});
