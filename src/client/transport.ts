import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter } from '../protocol/framing.js';

/**
 * A line-oriented connection to a server: TCP, TLS, or the WebSocket transport (`/apiv2`, one line
 * per frame). The client sees only lines; how they are framed is this module's business.
 */
export interface LineTransport {
  /** `line` includes its CR LF; the WebSocket transport strips it (one frame = one line). */
  send(line: Buffer): void;
  close(): void;
  /** Closes at once, dropping unsent data. */
  destroy(): void;
}

export interface TransportHandlers {
  onLine(line: Buffer): void;
  onClose(error?: Error): void;
}

export type TransportKind = 'tcp' | 'tls' | 'ws' | 'wss';

export interface TransportOptions {
  kind: TransportKind;
  host: string;
  port: number;
  /** Extra TLS options (ca, servername, rejectUnauthorized...) for 'tls' and 'wss'. */
  tls?: tls.ConnectionOptions;
  maxLineLength?: number;
  connectTimeoutMs?: number;
}

export function openTransport(opts: TransportOptions, handlers: TransportHandlers): Promise<LineTransport> {
  return opts.kind === 'ws' || opts.kind === 'wss'
    ? openWebSocket(opts, handlers)
    : openSocket(opts, handlers);
}

function openSocket(opts: TransportOptions, handlers: TransportHandlers): Promise<LineTransport> {
  return new Promise((resolve, reject) => {
    const socket =
      opts.kind === 'tls'
        ? tls.connect({
            host: opts.host,
            port: opts.port,
            // SNI takes host names only; an IP address there is deprecated (DEP0123).
            ...(net.isIP(opts.host) ? {} : { servername: opts.host }),
            ...opts.tls,
          })
        : net.connect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => socket.destroy(new Error(`connect timeout to ${opts.host}:${opts.port}`)),
      opts.connectTimeoutMs ?? 30_000,
    );
    let connected = false;
    let closeError: Error | undefined;
    const splitter = new LineSplitter(
      (line) => handlers.onLine(line),
      opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
    );
    const transport: LineTransport = {
      send: (line) => {
        if (!socket.destroyed) socket.write(line);
      },
      close: () => socket.end(),
      destroy: () => socket.destroy(),
    };
    socket.once(opts.kind === 'tls' ? 'secureConnect' : 'connect', () => {
      connected = true;
      clearTimeout(timer);
      resolve(transport);
    });
    socket.on('data', (chunk: Buffer) => {
      const err = splitter.push(chunk);
      if (err) socket.destroy(err);
    });
    socket.on('error', (err) => {
      closeError = err;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      splitter.stop();
      if (!connected) reject(closeError ?? new Error('connection closed'));
      else handlers.onClose(closeError);
    });
  });
}

function openWebSocket(opts: TransportOptions, handlers: TransportHandlers): Promise<LineTransport> {
  return new Promise((resolve, reject) => {
    const scheme = opts.kind === 'wss' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${opts.host}:${opts.port}/apiv2`, {
      ...(opts.kind === 'wss' ? opts.tls : {}),
      handshakeTimeout: opts.connectTimeoutMs ?? 30_000,
      maxPayload: opts.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH,
    });
    let connected = false;
    let closeError: Error | undefined;
    const transport: LineTransport = {
      send: (line) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        const end = line.length >= 2 && line[line.length - 2] === 0x0d ? line.length - 2 : line.length;
        ws.send(line.subarray(0, end), { binary: false });
      },
      close: () => ws.close(),
      destroy: () => ws.terminate(),
    };
    ws.on('open', () => {
      connected = true;
      resolve(transport);
    });
    ws.on('message', (data: Buffer) => {
      let line = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      while (line.length > 0 && (line[line.length - 1] === 0x0a || line[line.length - 1] === 0x0d)) {
        line = line.subarray(0, line.length - 1);
      }
      if (line.length > 0) handlers.onLine(line);
    });
    ws.on('error', (err) => {
      closeError = err;
    });
    ws.on('close', () => {
      if (!connected) reject(closeError ?? new Error('WebSocket closed before opening'));
      else handlers.onClose(closeError);
    });
  });
}
