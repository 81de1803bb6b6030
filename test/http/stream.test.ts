import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { startServer } from '../helpers/harness.js';
import { Api } from './api-client.js';
import { D_PAYLOAD, S_PAYLOAD } from './fixtures.js';

interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads Server-Sent Events from a fetch response, one at a time. */
class SseReader {
  private buffer = '';
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  constructor(res: Response) {
    this.reader = res.body!.getReader();
  }
  async next(): Promise<StreamEvent> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        if (block.startsWith(':')) continue;
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
        return { event, data };
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error('stream ended');
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }
  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

test('GET /api/stream (SSE): ready, then each message the car sends, decoded', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  await car.nextOf('Z');
  const api = new Api(h);
  const cookie = await api.login();
  const res = await fetch(api.url('/api/stream/DEMO'), { headers: { cookie, accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const sse = new SseReader(res);
  assert.deepEqual(await sse.next(), { event: 'ready', data: { event: 'ready', vehicle: 'DEMO' } });
  car.send('S', S_PAYLOAD);
  const { event, data } = await sse.next();
  assert.equal(event, 'message');
  assert.equal(data.code, 'S');
  assert.equal(data.payload, S_PAYLOAD);
  assert.equal(data.vehicle, 'DEMO');
  const message = data.message as { kind: string; fields: Record<string, string> };
  assert.equal(message.kind, 'status');
  assert.equal(message.fields.soc, '80.5');
  assert.equal(message.fields.chargestate, 'charging');
  // A stream does not count as an app: the car heard no Z.
  assert.deepEqual(car.pending(), []);
  await sse.cancel();
});

test("GET /api/stream refuses without credentials and for another owner's vehicle", async (t) => {
  const h = await startServer(t);
  await h.addVehicle('OTHER', 's2', await h.addOwner('other'));
  const api = new Api(h);
  assert.equal((await api.call('GET', '/api/stream/OTHER')).status, 401);
  assert.equal((await api.withPassword('GET', '/api/stream/OTHER')).status, 403);
});

test('GET /api/stream over WebSocket: JSON frames, and the upgrade refused without credentials', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  await car.nextOf('Z');
  const api = new Api(h);
  const url = api.url('/api/stream/DEMO', api.credentials).replace(/^http/, 'ws');
  const ws = new WebSocket(url);
  t.after(() => ws.close());
  const frames: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const next = async () => {
    while (frames.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return frames.shift()!;
  };
  assert.deepEqual(await next(), { event: 'ready', vehicle: 'DEMO' });
  car.send('D', D_PAYLOAD);
  const frame = await next();
  assert.equal(frame.event, 'message');
  assert.equal(frame.code, 'D');
  assert.equal((frame.message as { kind: string }).kind, 'environment');

  const refused = new WebSocket(api.url('/api/stream/DEMO').replace(/^http/, 'ws'));
  const status = await new Promise<number>((resolve) => {
    refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    refused.on('open', () => resolve(101));
    refused.on('error', () => {});
  });
  assert.equal(status, 401);
});
