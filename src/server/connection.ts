import type { Logger } from 'pino';
import { frameLine } from '../protocol/framing.js';
import type { LineCodec } from '../protocol/line-codec.js';
import type { ClientType } from '../protocol/welcome.js';
import type { Vehicle } from '../store/store.js';
import type { Link } from './link.js';

type LogLevel = 'info' | 'warn' | 'debug';

export type ConnectionState = 'welcome' | 'login' | 'ready' | 'closed';

/**
 * One client connection: its link, login state, cipher and timers' bookkeeping. It knows nothing of
 * routing; the hub decides what to send where.
 */
export class Connection {
  state: ConnectionState = 'welcome';
  clientType: ClientType | undefined;
  vehicle: Vehicle | undefined;
  /** `<ownerId>/<vehicleId>`: the key of the vehicle on the bus. */
  vehicleKey = '';
  codec: LineCodec | undefined;
  readonly createdAt = Date.now();
  lastRx = Date.now();
  lastTx = Date.now();
  lastPing = 0;
  /** Paranoid token announced by this car connection ('' if none). */
  ptoken = '';
  /** Groups this app subscribed to / this car posted to. */
  readonly appGroups = new Set<string>();
  readonly carGroups = new Set<string>();
  /** The handling of this client's previous message (apps and batch clients are handled in order). */
  serial: Promise<void> = Promise.resolve();
  /** Auto-provisioning: one answer per connection (WIRE.md §2.7). */
  autoProvisionAnswered = false;
  /** Relayed messages wait here while the login replay goes out, so the replay comes first. */
  private held: [string, Uint8Array | string | undefined][] | undefined;
  closeReason = '';
  readonly log: Logger;

  constructor(
    readonly id: string,
    readonly link: Link,
    log: Logger,
    private readonly onBytes: (conn: Connection, direction: 'rx' | 'tx', bytes: number) => void,
  ) {
    this.log = log.child({ conn: id, peer: `${link.remoteAddress}:${link.remotePort}` });
  }

  get label(): string {
    return this.vehicle
      ? `${this.clientType} ${this.vehicle.ownerName}/${this.vehicle.vehicleId}`
      : 'pre-login';
  }

  get isCar(): boolean {
    return this.clientType === 'C';
  }

  /** Counts a received line for utilisation (line length + CR LF, as the reference does). */
  received(lineLength: number): void {
    this.lastRx = Date.now();
    this.onBytes(this, 'rx', lineLength + 2);
  }

  /** Sends a message through the connection's codec. */
  send(code: string, payload?: Uint8Array | string): void {
    if (this.state === 'closed' || !this.codec) return;
    this.write(this.codec.encode(code, payload));
  }

  /** Sends a raw line (welcome replies, AP-S/AP-X), CR LF appended. */
  sendRaw(line: string): void {
    if (this.state === 'closed') return;
    this.write(frameLine(line));
  }

  /** Sends a relayed message, or queues it while the login replay is in progress. */
  deliver(code: string, payload?: Uint8Array | string): void {
    if (this.held) this.held.push([code, payload]);
    else this.send(code, payload);
  }

  private write(line: Buffer): void {
    this.link.write(line);
    this.lastTx = Date.now();
    this.onBytes(this, 'tx', line.length);
  }

  /** Defers relayed messages until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held;
    this.held = undefined;
    if (held) for (const [code, payload] of held) this.send(code, payload);
  }

  /** Ends the connection after what was already sent. */
  close(reason: string, level: LogLevel = 'info'): void {
    this.end(reason, level, false);
  }

  /** Closes at once without flushing (bad credentials: send nothing, WIRE.md §2.2). */
  abort(reason: string, level: LogLevel = 'info'): void {
    this.end(reason, level, true);
  }

  private end(reason: string, level: LogLevel, now: boolean): void {
    if (this.state === 'closed') return;
    this.closeReason = reason;
    this.log[level]({ client: this.label, reason }, now ? 'dropping connection' : 'closing connection');
    this.state = 'closed';
    this.held = undefined;
    if (now) this.link.destroy();
    else this.link.end();
  }
}
