import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login } from '../clients.js';
import { cpuMeter } from '../cpu.js';
import { type StartTarget, startBenchServer } from '../server-process.js';
import { pool } from '../stats.js';

/**
 * Logins per second: `cars` cars (or apps, with `clientType` 'A', one per vehicle), `parallel`
 * handshakes in flight, against the server (or what `start` starts).
 */
export async function loginsScenario(
  cars = 500,
  parallel = 50,
  warmup = 300,
  clientType: 'C' | 'A' = 'C',
  start: StartTarget = startBenchServer,
) {
  const server = await start(cars + warmup);
  const clients: OvmsClient[] = [];
  try {
    // Warm both processes' JIT on other vehicles first, then measure.
    await pool(
      Array.from({ length: warmup }, (_, i) => cars + i),
      parallel,
      async (i) => {
        clients.push(await login(server.port, clientType, `BENCH${i}`));
      },
    );
    await closeAll(clients.splice(0));
    const started = performance.now();
    const cpu = cpuMeter(server.pid);
    await pool(
      Array.from({ length: cars }, (_, i) => i),
      parallel,
      async (i) => {
        clients.push(await login(server.port, clientType, `BENCH${i}`));
      },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      cars,
      parallel,
      seconds: Math.round(seconds * 1000) / 1000,
      loginsPerSecond: Math.round(cars / seconds),
      cpuUsPerLogin: cpu(cars),
    };
  } finally {
    await closeAll(clients);
    await server.stop();
  }
}
