import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { startBenchServer } from '../server-process.js';
import { summarise } from '../stats.js';

/** Latency at a steady rate: `cars` cars each sending one S per second, one app each. */
export async function steadyScenario(cars = 200, seconds = 20) {
  const server = await startBenchServer(cars);
  const all: OvmsClient[] = [];
  const timers: NodeJS.Timeout[] = [];
  try {
    const latencies: number[] = [];
    const carClients: OvmsClient[] = [];
    for (let i = 0; i < cars; i++) {
      const car = await login(server.port, 'C', `BENCH${i}`);
      const app = await login(server.port, 'A', `BENCH${i}`);
      carClients.push(car);
      all.push(car, app);
      onCode(app, 'S', (m) => {
        const sentAt = Number(m.text.slice(0, m.text.indexOf(',')));
        if (sentAt > 0) latencies.push(performance.timeOrigin + performance.now() - sentAt);
      });
    }
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      carClients.map(
        (car, i) =>
          new Promise<void>((resolve) => {
            // Stagger the cars over the second, as real cars are not synchronised.
            const start = setTimeout(
              () => {
                const timer = setInterval(() => {
                  if (Date.now() >= end) {
                    clearInterval(timer);
                    resolve();
                    return;
                  }
                  car.send('S', `${performance.timeOrigin + performance.now()},K,230,16.00,charging`);
                }, 1000);
                timers.push(timer);
              },
              (i * 1000) / cars,
            );
            timers.push(start);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 500));
    return { cars, ratePerCar: 1, seconds, latencyMs: summarise(latencies) };
  } finally {
    for (const t of timers) clearTimeout(t);
    await closeAll(all);
    await server.stop();
  }
}
