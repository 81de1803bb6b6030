import { enc, type View } from './api';

/** What the server's stream says (src/http/routes/stream.ts, `views=1`). */
export interface CarState {
  connected: boolean;
  protocol: 'v2' | 'v3' | '';
  apps: number;
}
export interface Views {
  status: View;
  charge: View;
  location: View;
  tpms: View;
}
export interface StreamMessage {
  code: string;
  payload: string;
  time: string;
}

/** 'live': attached; 'waiting': reconnecting after an error or a 429 (with when it retries). */
export type LinkState =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'waiting'; why: string; retryAt: number }
  | { kind: 'expired' }
  | { kind: 'forbidden' };

export interface LiveHandlers {
  onState: (s: LinkState) => void;
  onCar: (c: CarState) => void;
  onViews: (v: Views) => void;
  onMessage: (m: StreamMessage) => void;
}

/**
 * A vehicle's live stream (Server-Sent Events read with fetch, so the answer's status is known):
 * counts as an app while open (`app=1`: the server releases it when the stream closes, tab closed
 * or not), carries the views and the car's connects and disconnects. On 401, or the 404 `Session
 * expired`, it stops: the session is over. On 429 it waits as long as Retry-After says; on other
 * errors it retries with a growing delay. Returns the stop function.
 */
export function follow(vehicleId: string, h: LiveHandlers): () => void {
  const abort = new AbortController();
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = (why: string, seconds: number) => {
    const ms = seconds * 1000;
    h.onState({ kind: 'waiting', why, retryAt: Date.now() + ms });
    timer = setTimeout(run, ms);
  };
  const run = async () => {
    h.onState({ kind: 'connecting' });
    let res: Response;
    try {
      res = await fetch(`/api/stream/${enc(vehicleId)}?views=1&app=1`, {
        credentials: 'same-origin',
        headers: { accept: 'text/event-stream' },
        signal: abort.signal,
      });
    } catch {
      if (!abort.signal.aborted) wait('the server cannot be reached', backoff(++failures));
      return;
    }
    if (res.status === 401 || (res.status === 404 && (await res.text()).trim() === 'Session expired')) {
      h.onState({ kind: 'expired' });
      return;
    }
    if (res.status === 403) return h.onState({ kind: 'forbidden' });
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      return wait('too many requests', Number.isFinite(after) && after > 0 ? after : backoff(++failures));
    }
    if (!res.ok || !res.body) return wait(`the server answered ${res.status}`, backoff(++failures));
    try {
      await read(res.body, (event, data) => {
        if (event === 'ready') {
          failures = 0;
          h.onState({ kind: 'live' });
        } else if (event === 'car') h.onCar(data as unknown as CarState);
        else if (event === 'views') h.onViews(data as unknown as Views);
        else if (event === 'message') h.onMessage(data as unknown as StreamMessage);
      });
    } catch {
      // Cut off: retried below.
    }
    if (!abort.signal.aborted) wait('the stream was cut off', backoff(++failures));
  };
  void run();
  return () => {
    abort.abort();
    clearTimeout(timer);
  };
}

/** 1, 2, 4 … 30 s. */
function backoff(failures: number): number {
  return Math.min(30, 2 ** Math.max(0, failures - 1));
}

async function read(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: Record<string, unknown>) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) onEvent(event, JSON.parse(data) as Record<string, unknown>);
    }
  }
}
