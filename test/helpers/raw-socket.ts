import net from 'node:net';
import { LineSplitter } from '../../src/protocol/framing.js';

/** A bare TCP connection for tests that speak bytes the client library would never send. */
export class RawSocket {
  readonly socket: net.Socket;
  private readonly lines: Buffer[] = [];
  private wakers: (() => void)[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    const splitter = new LineSplitter((l) => {
      this.lines.push(Buffer.from(l));
      this.wake();
    }, 1 << 20);
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', () => {});
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => resolve(new RawSocket(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const w = this.wakers;
    this.wakers = [];
    for (const f of w) f();
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Next line received (terminator removed), or undefined if the server closed first. */
  async nextLine(timeoutMs = 5000): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (this.closed) return undefined;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for a line');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wakers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.lines.shift()!.toString('latin1');
  }

  /** Resolves when the server closes; rejects after the timeout. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('server did not close the connection')), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Lines received so far, not yet taken. */
  get received(): string[] {
    return this.lines.map((l) => l.toString('latin1'));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
