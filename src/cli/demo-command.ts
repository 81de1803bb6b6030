import type { Command } from 'commander';
import { hashPassword } from '../auth/passwords.js';
import { startCar } from './car/simulator.js';
import { addCommonOptions, print } from './context.js';
import { type StartOptions, startServer, stopOnSignals } from './start-command.js';

export const DEMO = { owner: 'demo', ownerPassword: 'demo-password', vehicle: 'DEMO', secret: 'demo-secret' };

/** The demo's own database: its known owner password never lands in the real one (./data/ovms.db). */
export const DEMO_DB = 'sqlite:./data/demo.db';

/**
 * `ovms-server demo`: the server, a demo owner and vehicle (created when missing), and a simulated
 * car driving and charging in the same process, so a newcomer sees live data at once. It uses its own
 * database (DEMO_DB unless --db is given) and listens on loopback only, since its logins are public.
 */
export function registerDemoCommand(program: Command): void {
  addCommonOptions(program.command('demo'))
    .description('run the server with a demo vehicle and a simulated car connected to it')
    .option('--host <address>', 'listen address', '127.0.0.1')
    .option('--port <n>', 'protocol v2 TCP port')
    .option('--http-port <n>', 'HTTP API and dashboard port')
    .option('--speed-up <n>', 'simulated time runs this many times faster', '10')
    .action(async (o: StartOptions & { speedUp: string }) => {
      const running = await startServer({ logLevel: 'warn', ...o, db: o.db ?? DEMO_DB });
      const { store, server } = running;
      let owner = await store.getOwnerByName(DEMO.owner);
      owner ??= await store.createOwner({
        name: DEMO.owner,
        passwordHash: await hashPassword(DEMO.ownerPassword),
      });
      if (!(await store.findVehicle(DEMO.vehicle))) {
        await store.createVehicle({
          ownerId: owner.id,
          vehicleId: DEMO.vehicle,
          secret: DEMO.secret,
          name: 'Demo car',
        });
      }
      const port = server.ports.v2;
      const car = startCar({
        client: { host: '127.0.0.1', port, vehicleId: DEMO.vehicle, secret: DEMO.secret, reconnect: true },
        speedUp: Number(o.speedUp),
        scenario: 'drive',
      });
      car.on('fatal', (err: Error) => running.log.error({ err: err.message }, 'demo car stopped'));
      await car.ready;
      const target = port === 6867 ? '' : ` --server 127.0.0.1:${port}`;
      print(
        `Demo server on ${o.host ?? '127.0.0.1'} port ${port}, with vehicle ${DEMO.vehicle} (owner ${DEMO.owner}) and a simulated car connected.`,
      );
      if (server.ports.http > 0) {
        const host = o.host?.includes(':') ? `[${o.host}]` : (o.host ?? '127.0.0.1');
        print(
          `Dashboard: http://${host}:${server.ports.http}/  (log in as ${DEMO.owner}, password ${DEMO.ownerPassword})`,
        );
      }
      print(`Demo database: ${o.db ?? DEMO_DB} (kept apart from your real data)`);
      print('In another terminal:');
      print(`  npx ovms app status${target} --id ${DEMO.vehicle} --password ${DEMO.secret}`);
      print(`  npx ovms app watch${target} --id ${DEMO.vehicle} --password ${DEMO.secret}`);
      print(
        `  npx ovms app cmd 20 1234${target} --id ${DEMO.vehicle} --password ${DEMO.secret}   # lock the car`,
      );
      print('Ctrl-C stops everything.');
      stopOnSignals({
        log: running.log,
        stop: async () => {
          await car.stop();
          await running.stop();
        },
      });
    });
}
