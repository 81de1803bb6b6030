import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { type Link, type LinkEvents, normaliseAddress, socketLink, webSocketLink } from './link.js';

const GET = Buffer.from('GET ', 'latin1');
const EMPTY = Buffer.alloc(0);

/**
 * Takes over an accepted socket as a protocol connection. `acceptedAt` is when the socket was
 * accepted; the returned function is called at the login deadline and closes the connection if it
 * has not logged in by then.
 */
export type LinkFactory = (make: (events: LinkEvents) => Link, acceptedAt: number) => () => void;

/**
 * The v2 listeners: plain TCP (6867) and TLS (6870). Both also take the WebSocket upgrade
 * `GET /apiv2` as their first line (one protocol line per frame), as the reference does.
 *
 * The login deadline (`timeouts.login`) runs from accept, whatever the transport: a socket still
 * sending HTTP headers, one upgraded to a WebSocket and one speaking the protocol are all closed
 * at the deadline unless they have logged in. (The internal HTTP server that parses the upgrade
 * never listens itself, so Node's own header and request timeouts never run for it: this deadline
 * stands in for them.)
 */
export class V2Listener {
  readonly server: net.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly http = http.createServer((_req, res) => {
    res
      .writeHead(404, { 'content-type': 'text/plain', connection: 'close' })
      .end('OVMS protocol v2 port: WebSocket at /apiv2\n');
  });
  /** Sockets in the HTTP upgrade, with their accept time and the hand-over that stops their deadline. */
  private readonly upgrading = new WeakMap<
    net.Socket,
    { acceptedAt: number; handOver(expire: () => void): void }
  >();
  private acceptErrorLogged = 0;

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
    this.server =
      kind === 'tls'
        ? // The handshake comes before the login: it may not take longer than the login deadline.
          tls.createServer({ handshakeTimeout: opts.firstLineTimeoutMs, ...opts.tls }, onSocket)
        : net.createServer(onSocket);
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
        const pending = this.upgrading.get(socket as net.Socket);
        this.upgrading.delete(socket as net.Socket);
        const expire = opts.accept(
          (events) =>
            webSocketLink(ws, this.kind === 'tls' ? 'wss' : 'ws', remote, opts.maxLineLength, events),
          pending?.acceptedAt ?? Date.now(),
        );
        pending?.handOver(expire);
      });
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, ipv6Only: false }, () => {
        this.server.off('error', reject);
        // An accept that fails (EMFILE when libuv cannot shed the connection itself) is an 'error'
        // event: without a listener it would end the process.
        this.server.on('error', (err: NodeJS.ErrnoException) => this.acceptFailed(err));
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Logs a failed accept, at most once a minute. */
  private acceptFailed(err: NodeJS.ErrnoException): void {
    const now = Date.now();
    if (now - this.acceptErrorLogged < 60_000) return;
    this.acceptErrorLogged = now;
    this.opts.log.error(
      { err: err.message, code: err.code, listener: this.kind },
      err.code === 'EMFILE' || err.code === 'ENFILE'
        ? 'accept failed: out of file descriptors (new connections are refused)'
        : 'accept failed',
    );
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
    const acceptedAt = Date.now();
    // The login deadline, from accept: until a connection takes the socket over, the socket itself
    // is dropped; after that, the connection is (unless it logged in).
    let expire: (() => void) | undefined;
    const deadline = setTimeout(() => {
      if (expire) return expire();
      // Same words as the login deadline of a connection that did send something (ovms-server.ts).
      this.opts.log.info(
        {
          peer: `${normaliseAddress(socket.remoteAddress)}:${socket.remotePort}`,
          reason: 'no login in time',
        },
        'dropping connection',
      );
      socket.destroy();
    }, this.opts.firstLineTimeoutMs);
    socket.once('close', () => clearTimeout(deadline));
    const handOver = (expiry: () => void) => {
      expire = expiry;
    };
    // Peek at the first bytes: a WebSocket client starts with "GET ", a v2 client with "MP-"/"AP-".
    let head: Buffer = EMPTY;
    const onData = (chunk: Buffer) => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 4 && GET.subarray(0, head.length).equals(head)) return;
      socket.off('data', onData);
      if (head.subarray(0, 4).equals(GET)) {
        socket.pause();
        socket.unshift(head);
        this.upgrading.set(socket, { acceptedAt, handOver });
        this.http.emit('connection', socket);
        socket.resume();
        return;
      }
      handOver(
        this.opts.accept(
          (events) => socketLink(socket, this.kind, this.opts.maxLineLength, events),
          acceptedAt,
        ),
      );
      // The link's own 'data' listener is in place now: it takes the bytes read so far at once (a
      // pause, unshift and resume would hand them over a turn later, at some cost for every login).
      socket.emit('data', head);
    };
    socket.on('data', onData);
  }
}
