import type { Link, LinkEvents } from '../server/link.js';

/** What the bridge does with what the hub sends a v3 car. */
export interface MqttCarLinkHandlers {
  /** One message the hub sends the car: its code and payload (plain, no `MP-0 ` prefix). */
  onSend(code: string, payload: Buffer): void;
  /** The hub ended the connection (duplicate login, idle, shutdown). */
  onEnd(): void;
}

const DRAINED = Promise.resolve();

/**
 * The Link of a v3 car attached by the bridge: lines from the hub go to `handlers.onSend` instead
 * of a socket; lines for the hub are fed through `events.onLine` by the bridge. Nothing is queued,
 * so the output limit never applies. A class (methods shared by all) rather than an object of
 * closures: every idle v3 module keeps one.
 */
export class MqttCarLink implements Link {
  readonly transport = 'mqtt';
  readonly remotePort = 0;
  readonly queuedBytes = 0;
  private ended = false;

  constructor(
    readonly remoteAddress: string,
    private readonly events: LinkEvents,
    private readonly handlers: MqttCarLinkHandlers,
  ) {}

  write(line: Buffer): void {
    if (this.ended) return;
    let end = line.length;
    while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
    if (end === 0) return;
    this.handlers.onSend(String.fromCharCode(line[0]!), Buffer.from(line.subarray(1, end)));
  }

  whenDrained(): Promise<void> {
    return DRAINED;
  }

  pause(): void {}

  resume(): void {}

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.handlers.onEnd();
    // The hub expects the close after the call that ended the link, as a socket's comes.
    setImmediate(() => this.events.onClose());
  }

  destroy(): void {
    this.end();
  }
}
