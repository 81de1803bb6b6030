import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

/** Scrapers are few: more connections than this at once are refused. */
const MAX_CONNECTIONS = 16;

/**
 * `metrics.listen`: GET /metrics without authentication on an address of its own, for a Prometheus
 * on the same host or a private network. Nothing else is served there (404), only GET and HEAD
 * (405 otherwise), with short timeouts and few connections, since anyone who reaches the address
 * may scrape it.
 */
export class MetricsListener {
  readonly #server: http.Server;

  constructor(
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.#server = http.createServer({ requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) =>
      this.#handle(req, res),
    );
    this.#server.maxConnections = MAX_CONNECTIONS;
    this.#server.keepAliveTimeout = 5_000;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?', 1)[0];
    const text = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
    };
    if (path !== '/metrics') {
      text(404, 'Not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      text(405, 'Method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    this.metrics.scrape().then(
      (body) => {
        res.writeHead(200, { 'content-type': this.metrics.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: Error) => {
        this.log.error({ err }, 'metrics scrape failed');
        text(500, 'Internal server error\n');
      },
    );
  }

  /** Listens on `host`:`port` (0 = any free port); resolves with the port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port, ipv6Only: false }, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
