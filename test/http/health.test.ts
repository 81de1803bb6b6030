import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/harness.js';

test('GET /health: counts and checks, without authentication; 503 when the database fails', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  const car = await h.connect('C', 'DEMO1', 's1');
  await h.connect('A', 'DEMO1', 's1');
  await car.nextOf('Z');
  const res = await fetch(`http://127.0.0.1:${h.httpPort}/health`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.deepEqual(
    { status: body.status, cars: body.cars, apps: body.apps, database: body.database, bus: body.bus },
    { status: 'ok', cars: 1, apps: 1, database: 'ok', bus: 'ok' },
  );
  assert.match(String(body.version), /^ovms-server\//);
  // A broken database makes the node unhealthy, so a load balancer takes it out.
  const store = h.store as unknown as { migrationStatus(): Promise<unknown> };
  store.migrationStatus = () => Promise.reject(new Error('database unreachable'));
  const bad = await fetch(`http://127.0.0.1:${h.httpPort}/health`);
  assert.equal(bad.status, 503);
  const badBody = (await bad.json()) as Record<string, unknown>;
  assert.deepEqual([badBody.status, badBody.database], ['degraded', 'database unreachable']);
});
