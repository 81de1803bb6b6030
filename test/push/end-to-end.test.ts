import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { NtfyChannel } from '../../src/push/channels/ntfy.js';
import { PushDispatcher } from '../../src/push/dispatcher.js';
import { loadVece } from '../../src/push/vece.js';
import { startServer } from '../helpers/harness.js';
import { silent } from './helpers.js';

test("a car's P alert reaches an app's push subscription through the server", async (t) => {
  const received: { url: string; title: string | undefined; body: string }[] = [];
  let wake: () => void = () => {};
  const ntfy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ url: req.url ?? '', title: req.headers.title as string | undefined, body });
      res.end('{}');
      wake();
    });
  });
  await new Promise<void>((r) => ntfy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => ntfy.close(() => r())));
  const url = `http://127.0.0.1:${(ntfy.address() as AddressInfo).port}`;
  let dispatcher: PushDispatcher | undefined;
  const h = await startServer(t, {
    notifier: (store) => {
      dispatcher = new PushDispatcher({
        store,
        log: silent,
        channels: [new NtfyChannel({ url, token: '' })],
        vece: loadVece(),
        pollMs: 50,
        throttleMs: 0,
        maxAttempts: 3,
        retryBaseMs: 50,
        retryMaxMs: 200,
        suppressDebug: true,
      });
      dispatcher.start();
      return dispatcher;
    },
  });
  t.after(() => dispatcher?.close());
  await h.addVehicle('CAR1', 'pw');
  const app = await h.connect('A', 'CAR1', 'pw');
  // The app registers for push the way the protocol does: a p message.
  app.send('p', 'my-phone,ntfy,production,CAR1,pw,ovms-car1-alerts');
  app.send('A');
  await app.nextOf('a');
  const car = await h.connect('C', 'CAR1', 'pw');
  car.send('P', 'AVehicle alarm is sounding');
  assert.equal(await app.nextOf('P'), 'PAVehicle alarm is sounding');
  while (received.length === 0) await new Promise<void>((r) => (wake = r));
  assert.equal(received[0]!.url, '/ovms-car1-alerts');
  assert.equal(received[0]!.title, 'OVMS CAR1');
  assert.match(received[0]!.body, /Vehicle alarm is sounding/);
});
