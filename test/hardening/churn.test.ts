import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OvmsClient } from '../../src/client/ovms-client.js';
import { startServer } from '../helpers/harness.js';
import { testSecrets } from '../helpers/log-secrets.js';

const CYCLES = 10_000;
const WARMUP = 1_000;
const PARALLEL = 50;
const VEHICLES = 40;

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * The size of every Map and Set held by `root` and the objects it holds, two levels down (the
 * server's connection tables, the hub's registries, the bus's subscriptions...), by path. Found by
 * walking, so a registry added later is counted without this test naming it.
 */
function registrySizes(
  root: object,
  path = 'server',
  depth = 3,
  out = new Map<string, number>(),
  seen = new Set<object>(),
) {
  if (seen.has(root)) return out;
  seen.add(root);
  for (const [name, value] of Object.entries(root)) {
    if (value instanceof Map || value instanceof Set) out.set(`${path}.${name}`, value.size);
    else if (
      depth > 0 &&
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      !Buffer.isBuffer(value)
    )
      if (!['store', 'log', 'config', 'deps'].includes(name))
        registrySizes(value, `${path}.${name}`, depth - 1, out, seen);
  }
  return out;
}

function handles(): Map<string, number> {
  const out = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) out.set(type, (out.get(type) ?? 0) + 1);
  return out;
}

/** Entries of `now` larger than in `before`, as "name: before → now". */
function grown(before: Map<string, number>, now: Map<string, number>): string[] {
  return [...now]
    .filter(([k, n]) => n > (before.get(k) ?? 0))
    .map(([k, n]) => `${k}: ${before.get(k) ?? 0} → ${n}`);
}

async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/**
 * 10,000 connect/login/disconnect cycles (cars, apps and batch clients; closed politely, reset,
 * closed by the server after an unreadable line, or replaced by a second login of the same car) leave every registry, handle and timer count where it
 * was, and the heap within a bound far below what a per-connection leak would add.
 */
test('connection churn leaks no handles, timers, registry entries or memory', {
  timeout: 180_000,
}, async (t) => {
  // This test measures its own process's heap: keep the log scan's registry from growing with
  // every session, and log only errors (the harness keeps every line it is given).
  testSecrets.paused = true;
  t.after(() => {
    testSecrets.paused = false;
  });
  // Every client here comes from 127.0.0.1, and closed sockets still count until the server has seen
  // them close, so the per-address cap (2,000) is raised: this test is about leaks over 10,000
  // cycles, and the cap has its own tests (login.test.ts, hardening/connection-limit.test.ts).
  const h = await startServer(t, {
    settings: { 'log.level': 'error', 'limits.max_connections_per_ip': 5000 },
  });
  for (let v = 0; v < VEHICLES; v++) await h.addVehicle(`CHURN${v}`, `churn-secret-${v}`);
  let cycle = 0;
  const run = async (count: number) => {
    const end = cycle + count;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (cycle < end) {
          const n = cycle++;
          const v = n % VEHICLES;
          const client = new OvmsClient({
            host: '127.0.0.1',
            port: h.port,
            clientType: (['C', 'A', 'A', 'B'] as const)[n % 4]!,
            vehicleId: `CHURN${v}`,
            secret: `churn-secret-${v}`,
            loginTimeoutMs: 20_000,
          });
          client.on('error', () => {});
          await client.connect();
          // Every third client says something first; some hang up with a reset instead of a FIN;
          // some send a line that cannot be decrypted, and the server closes them.
          const transport = (client as unknown as { transport: { send(b: Buffer): void; destroy(): void } })
            .transport;
          if (n % 3 === 0) client.send('A');
          if (n % 7 === 0) transport.destroy();
          else if (n % 11 === 0) {
            const gone = new Promise((r) => client.once('disconnect', r));
            transport.send(Buffer.from('not a message\r\n'));
            await gone;
          }
          await client.close();
        }
      }),
    );
    await until(() => h.server.connectionCount === 0, 10_000);
  };
  const server = h.server as unknown as object;
  await run(WARMUP);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const handlesBefore = handles();
  const registriesBefore = registrySizes(server);
  // Two halves: a leak adds the same amount in each; what the first half only warms up (optimised
  // code, caches filled by rare paths) does not grow again in the second.
  await run(CYCLES / 2);
  gc();
  const heapHalfway = process.memoryUsage().heapUsed;
  await run(CYCLES / 2);
  await until(() => grown(handlesBefore, handles()).length === 0, 5000);
  gc();
  const heapGrowth = process.memoryUsage().heapUsed - heapHalfway;

  assert.equal(cycle, WARMUP + CYCLES);
  assert.equal(h.server.connectionCount, 0);
  assert.deepEqual(h.server.hub.stats(), { cars: 0, apps: 0, batch: 0, connections: 0 });
  assert.deepEqual(grown(registriesBefore, registrySizes(server)), []);
  assert.deepEqual(grown(handlesBefore, handles()), []);
  // 5,000 cycles: a leak of even 200 bytes per connection would add 1 MB.
  assert.ok(heapGrowth < 1048576, `heap grew by ${(heapGrowth / 1048576).toFixed(2)} MB in the second half`);
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 16 * 1048576, 'heap within 16 MB of the start');
  assert.ok(registriesBefore.size > 10, `only ${registriesBefore.size} registries found`);
});
