import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { NtfyChannel } from '../../src/push/channels/ntfy.js';
import type { PushDispatcher } from '../../src/push/dispatcher.js';
import { startServer } from '../helpers/harness.js';
import { parsePrometheusText, sampleValue } from '../helpers/prometheus-text.js';
import { dispatcher } from '../push/helpers.js';

test('push sends are counted by channel and result: a refused send to retry, then delivered', async (t) => {
  let requests = 0;
  // ntfy answers 503 the first time (a temporary failure), then accepts.
  const ntfy = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = requests++ === 0 ? 503 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => ntfy.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => ntfy.close(() => r())));
  const url = `http://127.0.0.1:${(ntfy.address() as AddressInfo).port}`;
  let push: PushDispatcher | undefined;
  const h = await startServer(t, {
    metrics: true,
    notifier: (store) => {
      push = dispatcher(t, store, [new NtfyChannel({ url, token: '' })]).d;
      return push;
    },
  });
  await h.addVehicle('PCAR1', 'pw');
  const app = await h.connect('A', 'PCAR1', 'pw');
  app.send('p', 'my-phone,ntfy,production,PCAR1,pw,alerts');
  app.send('A');
  await app.nextOf('a');
  const car = await h.connect('C', 'PCAR1', 'pw');
  const outcomes: string[] = [];
  const delivered = new Promise<void>((resolve) => {
    push!.on('outcome', (o: { result: { status: string } }) => {
      outcomes.push(o.result.status);
      if (o.result.status === 'delivered') resolve();
    });
  });
  car.send('P', 'AVehicle alarm is sounding');
  await delivered;
  assert.deepEqual(outcomes, ['retry', 'delivered']);
  const metrics = parsePrometheusText(
    await (await fetch(`http://127.0.0.1:${h.server.ports.metrics}/metrics`)).text(),
  );
  assert.equal(sampleValue(metrics, 'ovms_push_sends_total', { channel: 'ntfy', result: 'retry' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_push_sends_total', { channel: 'ntfy', result: 'delivered' }), 1);
  assert.equal(sampleValue(metrics, 'ovms_push_sends_total', { channel: 'ntfy', result: 'dead' }), 0);
});
