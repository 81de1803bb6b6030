import type http from 'node:http';
import type https from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ConnectionLimit } from '../server/connection-limit.js';
import { LimitedLog } from '../server/limited-log.js';
import { normaliseAddress } from '../server/link.js';

export interface ConnectionGuardOptions {
  /** Close a connection with no traffic either way for this long (0 = never). */
  idleMs: number;
  /** Close a kept-alive connection this long after its last answer. */
  keepAliveMs: number;
  /** Time a new connection has to send its first request headers (and TLS: to shake hands). */
  headerMs: number;
  /** Connections counted per address; shared by the HTTP and HTTPS listeners. */
  limit: ConnectionLimit;
  maxPerAddress: number;
  secure: boolean;
  log: Logger;
}

/**
 * Timeouts and the per-address connection cap of an HTTP API listener. Node's own headers timeout
 * only starts with a request's first byte, so a socket that never sends anything would stay open for
 * ever: here a new connection gets `headerMs` until its first request, then `idleMs` of silence,
 * and `keepAliveMs` between requests (Node's keep-alive timeout).
 */
export function guardConnections(server: http.Server | https.Server, o: ConnectionGuardOptions): void {
  server.timeout = o.idleMs;
  server.keepAliveTimeout = o.keepAliveMs;
  if (o.headerMs > 0) server.headersTimeout = Math.min(o.headerMs, server.requestTimeout || o.headerMs);
  const refusedLog = new LimitedLog();
  const silentLog = new LimitedLog();
  /** Sockets that have sent a request: their silence is idleness, not a missing request. */
  const served = new WeakSet<Socket>();

  server.on('connection', (socket: Socket) => {
    const address = normaliseAddress(socket.remoteAddress);
    if (o.limit.admit(socket, address) === undefined) return;
    refusedLog.event((suppressed) =>
      o.log.warn(
        { address, limit: o.maxPerAddress, suppressed },
        'HTTP connection refused: too many connections from this address',
      ),
    );
    socket.destroy();
  });
  // Node has set `timeout` (idle) on the socket that carries HTTP; until a request comes, the
  // header deadline applies instead. For HTTPS that socket exists once the handshake is done.
  const onHttpSocket = (socket: Socket) => {
    if (o.headerMs > 0) socket.setTimeout(o.headerMs);
  };
  server.on(o.secure ? 'secureConnection' : 'connection', onHttpSocket);
  server.on('request', (request: http.IncomingMessage) => {
    if (served.has(request.socket)) return;
    served.add(request.socket);
    request.socket.setTimeout(o.idleMs);
  });
  // A listener here makes Node leave the close to us, so the first kind can be logged.
  server.on('timeout', (socket: Socket) => {
    if (!served.has(socket)) {
      silentLog.event((suppressed) =>
        o.log.info(
          { address: normaliseAddress(socket.remoteAddress), limit_s: o.headerMs / 1000, suppressed },
          'HTTP connection closed: no request in time',
        ),
      );
    }
    socket.destroy();
  });
}
