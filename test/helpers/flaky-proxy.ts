import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a database, which a test can take "down": open connections
 * are cut and new ones are accepted and dropped at once, as a restarting database server does. Back
 * "up", it forwards again. Tests await the dropped connections instead of sleeping.
 */
export class FlakyProxy {
  #down = false;
  #dropped = 0;
  #waiters: { count: number; resolve: () => void }[] = [];
  readonly #sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<FlakyProxy> {
    let proxy: FlakyProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    proxy = new FlakyProxy(server, address.port);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  route(url: string): string {
    const routed = new URL(url);
    routed.hostname = '127.0.0.1';
    routed.port = String(this.port);
    return routed.toString();
  }

  down(): void {
    this.#down = true;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  up(): void {
    this.#down = false;
  }

  /** Resolves once `count` connections in all have been dropped while down. */
  dropped(count: number): Promise<void> {
    if (this.#dropped >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  async close(): Promise<void> {
    this.down();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    if (this.#down) {
      client.destroy();
      this.#dropped++;
      for (const w of this.#waiters.filter((w) => w.count <= this.#dropped)) w.resolve();
      this.#waiters = this.#waiters.filter((w) => w.count > this.#dropped);
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
      a.pipe(b);
      this.#sockets.add(a);
      a.once('close', () => this.#sockets.delete(a));
    }
  }
}
