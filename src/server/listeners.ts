import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { type Link, type LinkEvents, normaliseAddress, socketLink, webSocketLink } from './link.js';

export type LinkFactory = (make: (events: LinkEvents) => Link) => void;

/**
 * The v2 listeners: plain TCP (6867) and TLS (6870). Both also take the WebSocket upgrade
 * `GET /apiv2` as their first line (one protocol line per frame), as the reference does.
 */
export class V2Listener {
  readonly server: net.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly http = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('OVMS protocol v2 port: WebSocket at /apiv2\n');
  });

  constructor(
    readonly kind: 'tcp' | 'tls',
    private readonly opts: {
      maxLineLength: number;
      tls?: tls.TlsOptions;
      /** Decides whether to take a new socket (connection limits); tracks it until it closes. */
      admit(socket: net.Socket, address: string): boolean;
      /** Time a socket may stay silent before its first line. */
      firstLineTimeoutMs: number;
      accept: LinkFactory;
      log: Logger;
    },
  ) {
    const onSocket = (socket: net.Socket) => this.onSocket(socket);
    this.server = kind === 'tls' ? tls.createServer(opts.tls ?? {}, onSocket) : net.createServer(onSocket);
    this.server.on('tlsClientError', (err: Error) =>
      opts.log.debug({ err: err.message }, 'TLS handshake failed'),
    );
    this.wss.options.maxPayload = opts.maxLineLength;
    this.http.on('upgrade', (req, socket, head) => {
      if (!/^\/apiv2\/?$/.test(req.url ?? '')) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket as net.Socket, head, (ws) => {
        const remote = {
          address: normaliseAddress(req.socket.remoteAddress),
          port: req.socket.remotePort ?? 0,
        };
        opts.accept((events) =>
          webSocketLink(ws, this.kind === 'tls' ? 'wss' : 'ws', remote, opts.maxLineLength, events),
        );
      });
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, ipv6Only: false }, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onSocket(socket: net.Socket): void {
    socket.on('error', () => {});
    if (!this.opts.admit(socket, normaliseAddress(socket.remoteAddress))) {
      socket.destroy();
      return;
    }
    socket.setTimeout(this.opts.firstLineTimeoutMs, () => {
      // Same words as the login deadline of a connection that did send something (ovms-server.ts).
      this.opts.log.info(
        {
          peer: `${normaliseAddress(socket.remoteAddress)}:${socket.remotePort}`,
          reason: 'no login in time',
        },
        'dropping connection',
      );
      socket.destroy();
    });
    // Peek at the first bytes: a WebSocket client starts with "GET ", a v2 client with "MP-"/"AP-".
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (head.length < 4 && Buffer.from('GET ').subarray(0, head.length).equals(head)) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(head);
      if (head.subarray(0, 4).toString('latin1') === 'GET ') {
        this.http.emit('connection', socket);
        socket.resume();
        return;
      }
      this.opts.accept((events) => socketLink(socket, this.kind, this.opts.maxLineLength, events));
      socket.resume();
    };
    socket.on('data', onData);
  }
}
