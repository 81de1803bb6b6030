import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { NtfyChannel } from '../../src/push/channels/ntfy.js';
import { WebhookChannel } from '../../src/push/channels/webhook.js';
import { alert, dispatcher, pushStore, until, vehicleWith } from './helpers.js';

interface Hit {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback HTTP server answering with the statuses in `replies` (then 200). */
async function httpReceiver(t: TestContext, replies: number[] = []) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ url: req.url ?? '', headers: req.headers, body });
      res.statusCode = replies.shift() ?? 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { hits, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('webhook: signed JSON POST; 503 is retried with backoff, then delivered', async (t) => {
  const { store } = await pushStore(t);
  const ref = await vehicleWith(store, []);
  const hook = await httpReceiver(t, [503, 503]);
  const { d, outcomes } = dispatcher(t, store, [
    new WebhookChannel({ url: `${hook.url}/hook`, secret: 'k3y' }),
  ]);
  await d.notify(alert(ref, 'A', 'Charging stopped'));
  await until(() => outcomes.some((o) => o.result.status === 'delivered'), 'delivery');
  assert.deepEqual(
    outcomes.map((o) => [o.action, o.attempts]),
    [
      ['retry', 1],
      ['retry', 2],
      ['done', 3],
    ],
  );
  const hit = hook.hits.at(-1);
  assert.ok(hit);
  assert.equal(hit.url, '/hook');
  assert.deepEqual(JSON.parse(hit.body), {
    vehicleId: 'CAR1',
    owner: 'alice',
    type: 'A',
    text: 'Charging stopped',
    time: '2024-05-01T12:00:00.000Z',
  });
  const expected = createHmac('sha256', 'k3y')
    .update(`${hit.headers['x-ovms-timestamp']}.${hit.body}`)
    .digest('hex');
  assert.equal(hit.headers['x-ovms-signature'], `sha256=${expected}`);
  await until(async () => (await store.countPush()) === 0, 'an empty queue');
});

test('a delivery is given up after max attempts; identical alerts are throttled', async (t) => {
  const { store } = await pushStore(t);
  const ref = await vehicleWith(store, []);
  const hook = await httpReceiver(t, [500, 500, 500, 500]);
  const { d, outcomes } = dispatcher(t, store, [new WebhookChannel({ url: hook.url, secret: '' })], {
    throttleMs: 60_000,
  });
  await d.notify(alert(ref, 'A', 'Alarm'));
  await d.notify(alert(ref, 'A', 'Alarm'));
  await until(() => outcomes.some((o) => o.action === 'gave-up'), 'giving up');
  assert.equal(hook.hits.length, 3);
  assert.equal(hook.hits[0]?.headers['x-ovms-signature'], undefined);
  await until(async () => (await store.countPush()) === 0, 'an empty queue');
});

test('an alert accepted before a restart is delivered after it (durable queue)', async (t) => {
  const { store, path } = await pushStore(t);
  const ref = await vehicleWith(store, [{ appId: 'phone', pushType: 'ntfy', key: 'my-car-topic' }]);
  // First life: the dispatcher is not started, as if the process died right after accepting.
  const { d: first } = dispatcher(t, store, []);
  await first.close();
  await first.notify(alert(ref, 'I', 'Charge complete'));
  await store.close();

  const { store: reopened } = await pushStore(t, path);
  assert.equal(await reopened.countPush(), 1);
  const ntfy = await httpReceiver(t);
  const { outcomes } = dispatcher(t, reopened, [new NtfyChannel({ url: ntfy.url, token: 'tok' })]);
  await until(() => outcomes.length > 0, 'delivery after restart');
  assert.equal(outcomes[0]?.result.status, 'delivered');
  const hit = ntfy.hits[0];
  assert.equal(hit?.url, '/my-car-topic');
  assert.equal(hit?.body, 'Charge complete');
  assert.equal(hit?.headers.title, 'OVMS CAR1');
  assert.equal(hit?.headers.authorization, 'Bearer tok');
});
