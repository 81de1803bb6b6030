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
  /**
   * What this client may do (src/auth/permissions.ts): '*' for scheme 0 (the vehicle's own secret),
   * the owner's '*' or the API token's permit for scheme 1.
   */
  permit = '*';
  /** A refused message is logged once per connection. */
  refusalLogged = false;
  /** Paranoid token announced by this car connection ('' if none). */
  ptoken = '';
  #appGroups: Set<string> | undefined;
  #carGroups: Set<string> | undefined;
  /** The handling of this client's previous message (apps and batch clients are handled in order). */
  serial: Promise<void> = Promise.resolve();
  /** Auto-provisioning: one answer per connection (WIRE.md §2.7). */
  autoProvisionAnswered = false;
  /** Relayed messages wait here while the login replay goes out, so the replay comes first. */
  private held: [string, Uint8Array | string | undefined][] | undefined;
  closeReason = '';
  readonly log: ConnectionLog;

  constructor(
    readonly id: string,
    readonly link: Link,
    log: Logger,
    private readonly onBytes: (conn: Connection, direction: 'rx' | 'tx', bytes: number) => void,
  ) {
    this.log = new ConnectionLog(log, id, `${link.remoteAddress}:${link.remotePort}`);
  }

  /**
   * Groups this app subscribed to / this car posted to. Made on first use: most connections never
   * join a group, and two empty Sets are ~400 bytes of every idle connection.
   */
  get appGroups(): Set<string> {
    this.#appGroups ??= new Set();
    return this.#appGroups;
  }

  get carGroups(): Set<string> {
    this.#carGroups ??= new Set();
    return this.#carGroups;
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

/**
 * A connection's log lines, tagged with its id and peer. Not a pino child logger: a child is ~300
 * bytes kept by every idle connection, this is a few dozen, and connections rarely log.
 */
export class ConnectionLog {
  constructor(
    private readonly parent: Logger,
    private readonly conn: string,
    private readonly peer: string,
  ) {}

  debug(fields: object, msg: string): void {
    if (this.parent.isLevelEnabled('debug'))
      this.parent.debug({ conn: this.conn, peer: this.peer, ...fields }, msg);
  }
  info(fields: object, msg: string): void {
    if (this.parent.isLevelEnabled('info'))
      this.parent.info({ conn: this.conn, peer: this.peer, ...fields }, msg);
  }
  warn(fields: object, msg: string): void {
    if (this.parent.isLevelEnabled('warn'))
      this.parent.warn({ conn: this.conn, peer: this.peer, ...fields }, msg);
  }
  error(fields: object, msg: string): void {
    this.parent.error({ conn: this.conn, peer: this.peer, ...fields }, msg);
  }
}
