import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { cpuMeter } from '../cpu.js';
import { type StartTarget, startBenchServer } from '../server-process.js';
import { summarise } from '../stats.js';

const S_TAIL =
  ',K,230,16.00,charging,standard,280,250,16,3600,0,52,0,1,0,0,0,0,160.00,120,90,0,80,-1,0,0,0,90,120,310,0,3.50,390.50,98.00,3.70,94.00,-9.00';

/** Which server port each car and app connects to (several nodes), and how to stop them. */
export interface Placement {
  carPort(car: number): number;
  appPort(car: number, app: number): number;
  stop(): Promise<void>;
}

/**
 * Relay throughput: `cars` cars with `appsPerCar` apps each; every car keeps at most `window` S
 * messages that not all its apps have received yet, so it sends as fast as the apps receive.
 */
export async function relayScenario(
  cars = 100,
  appsPerCar = 2,
  window = 4,
  seconds = 10,
  placement?: Placement,
  start: StartTarget = startBenchServer,
) {
  const server = placement ? undefined : await start(cars);
  const place: Placement = placement ?? {
    carPort: () => server!.port,
    appPort: () => server!.port,
    stop: async () => {},
  };
  const all: OvmsClient[] = [];
  try {
    const carClients: OvmsClient[] = [];
    for (let i = 0; i < cars; i++) carClients.push(await login(place.carPort(i), 'C', `BENCH${i}`));
    const received = new Array<number>(cars).fill(0);
    const sendTimes: number[][] = Array.from({ length: cars }, () => []);
    const latencies: number[] = [];
    let deliveries = 0;
    let measuring = false;
    const perAppCount: number[][] = Array.from({ length: cars }, () => new Array(appsPerCar).fill(0));
    const sent = new Array<number>(cars).fill(0);
    let running = true;

    const pump = (i: number) => {
      while (running && sent[i]! - Math.min(...perAppCount[i]!) < window) {
        const seq = sent[i]!++;
        sendTimes[i]![seq % 64] = performance.now();
        carClients[i]!.send('S', `${seq}${S_TAIL}`);
      }
    };
    for (let i = 0; i < cars; i++) {
      for (let a = 0; a < appsPerCar; a++) {
        const app = await login(place.appPort(i, a), 'A', `BENCH${i}`);
        all.push(app);
        onCode(app, 'S', (m) => {
          const seq = Number(m.text.slice(0, m.text.indexOf(',')));
          if (Number.isNaN(seq)) return; // replayed stored message
          perAppCount[i]![a] = seq + 1;
          if (measuring) {
            deliveries++;
            latencies.push(performance.now() - sendTimes[i]![seq % 64]!);
          }
          received[i]!++;
          pump(i);
        });
      }
    }
    all.push(...carClients);
    for (let i = 0; i < cars; i++) pump(i);
    await new Promise((r) => setTimeout(r, 1000)); // warm-up
    measuring = true;
    const started = performance.now();
    const cpu = cpuMeter(server?.pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    measuring = false;
    const cpuPerDelivery = cpu(deliveries);
    const elapsed = (performance.now() - started) / 1000;
    running = false;
    return {
      cars,
      appsPerCar,
      window,
      seconds,
      deliveriesPerSecond: Math.round(deliveries / elapsed),
      latencyMs: summarise(latencies),
      cpuUsPerDelivery: cpuPerDelivery,
    };
  } finally {
    await closeAll(all);
    await (server ?? place).stop();
  }
}
