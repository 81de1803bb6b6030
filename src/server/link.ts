import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { LineSplitter } from '../protocol/framing.js';

/**
 * One client's byte pipe as the server sees it: lines in, lines out. TCP and TLS sockets frame
 * lines with CR LF; the WebSocket transport carries one line per frame. The hub never knows which.
 */
export interface Link {
  /** `mqtt`: a v3 module seen through the MQTT bridge (src/bridge), plain lines, no socket. */
  readonly transport: 'tcp' | 'tls' | 'ws' | 'wss' | 'mqtt';
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** `line` ends with CR LF. */
  write(line: Buffer): void;
  /** Bytes queued for the client and not yet sent. */
  readonly queuedBytes: number;
  /**
   * Settles once what is queued has gone out to the operating system (at once when the queue is
   * short, or the link is closed): a writer of a long answer waits here between lines.
   */
  whenDrained(): Promise<void>;
  /** Stops reading (used while the server is busy with a login). */
  pause(): void;
  resume(): void;
  end(): void;
  destroy(): void;
}

export interface LinkEvents {
  onLine(line: Buffer): void;
  onError(error: Error): void;
  onClose(): void;
}

export function socketLink(
  socket: Socket,
  transport: 'tcp' | 'tls',
  maxLineLength: number,
  events: LinkEvents,
): Link {
  const splitter = new LineSplitter((line) => events.onLine(line), maxLineLength);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 240_000);
  socket.on('data', (chunk: Buffer) => {
    const err = splitter.push(chunk);
    if (err) events.onError(err);
  });
  socket.on('error', (err) => events.onError(err));
  socket.on('close', () => {
    splitter.stop();
    events.onClose();
  });
  return {
    transport,
    remoteAddress: normaliseAddress(socket.remoteAddress),
    remotePort: socket.remotePort ?? 0,
    write: corkedWriter(socket),
    get queuedBytes() {
      return socket.writableLength;
    },
    // 'drain' comes only after a write found the buffer past its high-water mark (writableNeedDrain).
    whenDrained: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed || !socket.writableNeedDrain) return resolve();
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      }),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    end: () => {
      socket.end();
      // A peer that never reads must not keep the socket half-open forever. The timer goes as soon
      // as the socket closes: left pending, it would hold every closed connection for 5 s.
      const timer = setTimeout(() => socket.destroy(), 5000).unref();
      socket.once('close', () => clearTimeout(timer));
    },
    destroy: () => socket.destroy(),
  };
}

/** Lines written in one turn of the event loop go out in one system call (writev), not one each. */
export function corkedWriter(socket: Socket): (line: Buffer) => void {
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  return (line) => {
    if (socket.destroyed) return;
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    socket.write(line);
  };
}

export function webSocketLink(
  ws: WebSocket,
  transport: 'ws' | 'wss',
  remote: { address: string; port: number },
  maxLineLength: number,
  events: LinkEvents,
): Link {
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    void isBinary;
    let line = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    if (line.length > maxLineLength) {
      events.onError(new Error(`line longer than ${maxLineLength} bytes`));
      return;
    }
    while (line.length > 0 && (line[line.length - 1] === 0x0a || line[line.length - 1] === 0x0d)) {
      line = line.subarray(0, line.length - 1);
    }
    if (line.length > 0) events.onLine(line);
  });
  // Sends not yet handed to the socket, and the writers waiting for them to go.
  let unsent = 0;
  let waiting: (() => void)[] = [];
  const settle = () => {
    if (unsent > 0 && ws.readyState === 1) return;
    const w = waiting;
    waiting = [];
    for (const f of w) f();
  };
  const sent = () => {
    unsent--;
    settle();
  };
  ws.on('error', (err) => events.onError(err));
  ws.on('close', () => {
    settle();
    events.onClose();
  });
  return {
    transport,
    remoteAddress: normaliseAddress(remote.address),
    remotePort: remote.port,
    write: (line) => {
      if (ws.readyState !== 1) return;
      const end = line.length >= 2 && line[line.length - 2] === 0x0d ? line.length - 2 : line.length;
      unsent++;
      ws.send(line.subarray(0, end), { binary: false }, sent);
    },
    get queuedBytes() {
      return ws.bufferedAmount;
    },
    whenDrained: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        settle();
      }),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    end: () => ws.close(),
    destroy: () => ws.terminate(),
  };
}

/** '::ffff:1.2.3.4' and '1.2.3.4' are the same client. */
export function normaliseAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
