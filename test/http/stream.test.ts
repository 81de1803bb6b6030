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

test('GET /api/stream says at once when the car connects and disconnects (car events)', {
  timeout: 15_000,
}, async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  const cookie = await api.login();
  const res = await fetch(api.url('/api/stream/DEMO'), { headers: { cookie, accept: 'text/event-stream' } });
  const sse = new SseReader(res);
  t.after(() => sse.cancel().catch(() => {}));
  assert.equal((await sse.next()).event, 'ready');
  const car = await h.connect('C', 'DEMO', 's1');
  const up = await sse.next();
  assert.equal(up.event, 'car');
  assert.equal(up.data.connected, true);
  assert.equal(up.data.protocol, 'v2');
  assert.equal(up.data.vehicle, 'DEMO');
  assert.equal(typeof up.data.time, 'string');
  await car.close();
  const down = await sse.next();
  assert.equal(down.event, 'car');
  assert.equal(down.data.connected, false);
  assert.equal(down.data.protocol, '');
});

test('GET /api/stream?views=1: the car state and the views at once, then new views after each message', {
  timeout: 15_000,
}, async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  await car.nextOf('Z');
  car.send('S', S_PAYLOAD);
  const api = new Api(h);
  const cookie = await api.login();
  // The S is stored once GET /api/status shows it.
  for (;;) {
    const status = (await api.call('GET', '/api/status/DEMO', { cookie })).json as Record<string, unknown>;
    if (status.soc === '80.5') break;
  }
  const res = await fetch(api.url('/api/stream/DEMO', { views: '1' }), {
    headers: { cookie, accept: 'text/event-stream' },
  });
  const sse = new SseReader(res);
  t.after(() => sse.cancel().catch(() => {}));
  assert.equal((await sse.next()).event, 'ready');
  const state = await sse.next();
  assert.equal(state.event, 'car');
  assert.equal(state.data.connected, true);
  assert.equal(state.data.apps, 0);
  const first = await sse.next();
  assert.equal(first.event, 'views');
  const status = first.data.status as Record<string, unknown>;
  assert.equal(status.soc, '80.5');
  assert.equal((first.data.charge as Record<string, unknown>).chargekwh, '125', 'tenths of a kWh, as sent');
  assert.deepEqual(first.data.location, {});
  // A D then changes the status view (carlocked is the masked bit, 8).
  car.send('D', D_PAYLOAD);
  const d = await sse.next();
  assert.equal(d.event, 'message');
  assert.equal(d.data.code, 'D');
  // Then T0 (the car's update age), then one views event for both.
  let next = await sse.next();
  while (next.event === 'message') next = await sse.next();
  assert.equal(next.event, 'views');
  assert.equal((next.data.status as Record<string, unknown>).carlocked, 8);
  assert.equal((next.data.status as Record<string, unknown>).soc, '80.5');
  // The same as GET /api/status, field for field (the ages aside).
  const api2 = (await api.call('GET', '/api/status/DEMO', { cookie })).json as Record<string, unknown>;
  const { m_msgage_s: _a, m_msgage_d: _b, ...polled } = api2;
  const { m_msgage_s: _c, m_msgage_d: _d, ...streamed } = next.data.status as Record<string, unknown>;
  assert.deepEqual(streamed, polled);
});

test('GET /api/stream?app=1 counts as an app while open, and the car hears Z0 as soon as it closes', {
  timeout: 15_000,
}, async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const car = await h.connect('C', 'DEMO', 's1');
  assert.equal(await car.nextOf('Z'), 'Z0');
  const api = new Api(h);
  const cookie = await api.login();
  const abort = new AbortController();
  const res = await fetch(api.url('/api/stream/DEMO', { app: '1' }), {
    headers: { cookie, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  const sse = new SseReader(res);
  assert.equal((await sse.next()).event, 'ready');
  assert.equal(await car.nextOf('Z'), 'Z1');
  // The tab closes (no DELETE /api/vehicle): the stream's end releases the app.
  abort.abort();
  assert.equal(await car.nextOf('Z'), 'Z0');
});

test('a stream opened with a session ends when the session does (logout)', { timeout: 15_000 }, async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO', 's1');
  const api = new Api(h);
  const cookie = await api.login();
  const res = await fetch(api.url('/api/stream/DEMO'), { headers: { cookie, accept: 'text/event-stream' } });
  const sse = new SseReader(res);
  t.after(() => sse.cancel().catch(() => {}));
  assert.equal((await sse.next()).event, 'ready');
  assert.equal((await api.call('DELETE', '/api/cookie', { cookie })).status, 200);
  await assert.rejects(sse.next(), /stream ended/);
  // Reconnecting with the ended session's cookie: 404 Session expired.
  const again = await fetch(api.url('/api/stream/DEMO'), {
    headers: { cookie, accept: 'text/event-stream' },
  });
  assert.equal(again.status, 404);
  assert.equal(await again.text(), 'Session expired\n');
});
