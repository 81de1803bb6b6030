import { OvmsClient, type OvmsClientOptions, type ReceivedMessage } from '../../src/client/ovms-client.js';

/**
 * An OvmsClient whose messages queue up from the moment it logs in, so tests can await them one by
 * one in order (`next`) or skip to a code (`nextOf`), never sleeping.
 */
export class TestClient {
  readonly client: OvmsClient;
  private readonly inbox: ReceivedMessage[] = [];
  private waiters: (() => void)[] = [];
  disconnected = false;

  constructor(options: OvmsClientOptions) {
    this.client = new OvmsClient(options);
    this.client.on('message', (m: ReceivedMessage) => {
      this.inbox.push(m);
      this.wake();
    });
    this.client.on('disconnect', () => {
      this.disconnected = true;
      this.wake();
    });
    this.client.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private changed(timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The next message, as `code + payload text` (e.g. 'Z1'). */
  async next(timeoutMs = 5000): Promise<string> {
    const m = await this.nextMessage(timeoutMs);
    return m.code + m.text;
  }

  async nextMessage(timeoutMs = 5000): Promise<ReceivedMessage> {
    while (this.inbox.length === 0) {
      if (this.disconnected) throw new Error('disconnected while waiting for a message');
      await this.changed(timeoutMs, 'a message');
    }
    return this.inbox.shift()!;
  }

  /** Skips messages until one with this code arrives; returns `code + text`. */
  async nextOf(code: string, timeoutMs = 5000): Promise<string> {
    for (;;) {
      const m = await this.nextMessage(timeoutMs);
      if (m.code === code) return m.code + m.text;
    }
  }

  /** The messages received so far and not yet taken, as strings. */
  pending(): string[] {
    return this.inbox.map((m) => m.code + m.text);
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(timeoutMs = 5000): Promise<void> {
    while (!this.disconnected) await this.changed(timeoutMs, 'the server to close the connection');
  }

  send(code: string, payload = ''): void {
    if (!this.client.send(code, payload)) throw new Error('not connected');
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
