import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { cpuMeter } from '../cpu.js';
import { startBenchServer } from '../server-process.js';

/** `h` records acked per second: each car keeps `window` records waiting for their ack. */
export async function historyScenario(cars = 100, window = 50, seconds = 10) {
  // Each car here writes hundreds of records a second, far over a real car's few thousand a day: the
  // per-vehicle write rate (history.rate_per_minute) would refuse them. This measures the store's
  // ack throughput, so that one limit is off; the quota stays on.
  const server = await startBenchServer(cars, { OVMS_HISTORY_RATE_PER_MINUTE: '0' });
  const all: OvmsClient[] = [];
  try {
    let acked = 0;
    let measuring = false;
    let running = true;
    for (let i = 0; i < cars; i++) {
      const car = await login(server.port, 'C', `BENCH${i}`);
      all.push(car);
      let next = 1;
      let outstanding = 0;
      const pump = () => {
        while (running && outstanding < window) {
          outstanding++;
          car.send('h', `${next},${-(next % 30)},*-LOG-Trip,${next},86400,${next},12.5,3.1,45.2,-0.1,51.5`);
          next++;
        }
      };
      onCode(car, 'h', () => {
        outstanding--;
        if (measuring) acked++;
        pump();
      });
      pump();
    }
    await new Promise((r) => setTimeout(r, 1000));
    measuring = true;
    const started = performance.now();
    const cpu = cpuMeter(server.pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    measuring = false;
    const perRecord = cpu(acked);
    running = false;
    const elapsed = (performance.now() - started) / 1000;
    return {
      cars,
      window,
      seconds,
      ackedPerSecond: Math.round(acked / elapsed),
      cpuUsPerRecord: perRecord,
    };
  } finally {
    await closeAll(all);
    await server.stop();
  }
}
