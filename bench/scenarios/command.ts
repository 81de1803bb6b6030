import type { OvmsClient } from '../../src/client/ovms-client.js';
import { closeAll, login, onCode } from '../clients.js';
import { startBenchServer } from '../server-process.js';
import { summarise } from '../stats.js';

/** Command round trip app → server → car → server → app, one command at a time per app. */
export async function commandScenario(pairs = 50, commandsPerApp = 40) {
  const server = await startBenchServer(pairs);
  const all: OvmsClient[] = [];
  try {
    const rtts: number[] = [];
    const apps: OvmsClient[] = [];
    for (let i = 0; i < pairs; i++) {
      const car = await login(server.port, 'C', `BENCH${i}`);
      onCode(car, 'C', (m) => car.send('c', `${m.text.split(',')[0]},0,done`));
      const app = await login(server.port, 'A', `BENCH${i}`);
      all.push(car, app);
      apps.push(app);
    }
    await Promise.all(
      apps.map(async (app) => {
        for (let n = 0; n < commandsPerApp; n++) {
          const t0 = performance.now();
          await app.command(7, ['stat']);
          rtts.push(performance.now() - t0);
        }
      }),
    );
    return { pairs, commands: rtts.length, rttMs: summarise(rtts) };
  } finally {
    await closeAll(all);
    await server.stop();
  }
}
