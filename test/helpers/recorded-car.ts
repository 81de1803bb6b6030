import { startCar } from '../../src/cli/car/simulator.js';
import { readFixture } from '../recording/replay.js';
import type { Harness } from './harness.js';

/**
 * The simulated car (a v2 module over a real socket) drives until it switches off (D: car on, then
 * off), then charges until the charge ends (S: charging, then neither charging nor topoff); the
 * server's recording is flushed. An app connection watches the car's messages.
 */
export async function driveAndCharge(h: Harness, vehicleId: string, secret: string): Promise<void> {
  const app = await h.connect('A', vehicleId, secret);
  for (const scenario of ['drive', 'charge'] as const) {
    const car = startCar({
      client: { host: '127.0.0.1', port: h.port, vehicleId, secret },
      seed: 7,
      scenario,
      // Simulated time runs fast so that a drive and a charge take seconds (a simulator option, not a server default).
      speedUp: 400,
    });
    await car.ready;
    let started = false;
    for (;;) {
      const line = await app.next(30_000);
      if (scenario === 'drive' && line.startsWith('D')) {
        const on = (Number(line.slice(1).split(',')[0]) & 0x80) !== 0;
        if (on) started = true;
        else if (started) break;
      }
      if (scenario === 'charge' && line.startsWith('S')) {
        const state = line.slice(1).split(',')[4];
        if (state === 'charging') started = true;
        else if (started && state !== 'topoff') break;
      }
    }
    await car.stop();
    await h.server.recording.flush();
  }
  await app.close();
}

/**
 * Hands a recorded fixture's messages (test/fixtures/recording) to the server's car-message observers
 * at their recorded times moved by `shiftMs` (as the car's node does for each message it receives),
 * so that the sequence keeps its pace: a 20 minute drive, a two hour charge. Each fixture is under
 * the 200 messages that wait while a vehicle's recorder state loads.
 */
export async function replayAtRecordedTimes(
  h: Harness,
  name: string,
  shiftMs: number,
  vehicleId = 'DEMO1',
  /** Changes a message's payload (e.g. another unit). */
  rewrite: (code: string, payload: string) => string = (_code, payload) => payload,
): Promise<void> {
  const ref = { ownerId: h.owner.id, vehicleId };
  for (const m of readFixture(name)) {
    h.server.hub.carMessages.notify({
      ref,
      code: m.code,
      payload: Buffer.from(rewrite(m.code, m.payload), 'latin1'),
      time: new Date(m.at + shiftMs),
    });
  }
  await h.server.recording.flush();
}
