import type { Logger } from 'pino';
import { frameLine } from '../protocol/framing.js';
import type { LineCodec } from '../protocol/line-codec.js';
import type { ClientType } from '../protocol/welcome.js';
import type { Vehicle } from '../store/store.js';
import type { CommandRouter } from './command-router.js';
import type { Link } from './link.js';
import type { RefusalPacer } from './refusal-pacer.js';

type LogLevel = 'info' | 'warn' | 'debug';

export type ConnectionState = 'welcome' | 'login' | 'ready' | 'closed';

/** Why a connection's socket is not being read (bits): reading resumes when no reason is left. */
export const READ_PAUSE = {
  /** Too many of an app's messages wait to be handled. */
  backlog: 1,
  /** Its commands keep being refused (src/server/refusal-pacer.ts). */
  refusals: 2,
} as const;

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
  /** When the socket was accepted: the login deadline counts from here, whatever the transport. */
  readonly createdAt: number;
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
  /**
   * An app's or batch client's commands still awaiting the car's reply, counted on this node
   * against `limits.max_pending_commands_per_app` (made on the first command).
   */
  pendingCommands: CommandRouter | undefined;
  /** Commands refused for being over a cap (the first one is logged). */
  refusedCommands = 0;
  /** Paces the reading of a client whose commands keep being refused (made on the first refusal). */
  refusalPacer: RefusalPacer | undefined;
  /** The READ_PAUSE reasons in force (0 = the socket is read). */
  private readPauses = 0;
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
    opts: { acceptedAt?: number; warnings?: WarningBudget } = {},
  ) {
    this.createdAt = opts.acceptedAt ?? Date.now();
    this.log = new ConnectionLog(log, id, `${link.remoteAddress}:${link.remotePort}`, opts.warnings);
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

  /** Stops reading the socket for `reason` (one of READ_PAUSE), until `resumeReading(reason)`. */
  pauseReading(reason: number): void {
    if (this.readPauses === 0) this.link.pause();
    this.readPauses |= reason;
  }

  resumeReading(reason: number): void {
    if ((this.readPauses & reason) === 0) return;
    this.readPauses &= ~reason;
    if (this.readPauses === 0) this.link.resume();
  }

  /** Whether the socket is not being read now. */
  get readingPaused(): boolean {
    return this.readPauses !== 0;
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
    this.log.always(
      level,
      { client: this.label, reason },
      now ? 'dropping connection' : 'closing connection',
    );
    this.state = 'closed';
    this.held = undefined;
    this.refusalPacer?.stop();
    if (now) {
      this.link.destroy();
      return;
    }
    this.link.end();
    // A paused socket would not see the peer's end: read again (lines of a closed connection are
    // dropped) so it closes as soon as the peer does.
    if (this.readPauses !== 0) {
      this.readPauses = 0;
      this.link.resume();
    }
  }
}

/** How many warning lines one connection may write per window; the rest are only counted. */
export interface WarningBudget {
  perWindow: number;
  windowMs: number;
}

/** The default budget: `limits.warnings_per_connection` (20) per hour. */
export const DEFAULT_WARNINGS: WarningBudget = { perWindow: 20, windowMs: 3_600_000 };

/**
 * A connection's log lines, tagged with its id and peer. Not a pino child logger: a child is ~300
 * bytes kept by every idle connection, this is a few dozen, and connections rarely log.
 *
 * Warnings are what a client can provoke at will (every ignored message writes one), so each
 * connection may write `perWindow` of them per window. The first one over the budget says that
 * further warnings are suppressed; the next line written after that (a warning in a later window,
 * the closing line, or a summary when the connection ends) carries the number suppressed. So a
 * client flooding bad lines makes at most `perWindow` + 2 warning lines per window, whatever its rate.
 */
export class ConnectionLog {
  private warned = 0;
  private windowStart = 0;
  private suppressed = 0;

  constructor(
    private readonly parent: Logger,
    private readonly conn: string,
    private readonly peer: string,
    private readonly budget: WarningBudget = DEFAULT_WARNINGS,
  ) {}

  debug(fields: object, msg: string): void {
    if (this.parent.isLevelEnabled('debug'))
      this.parent.debug({ conn: this.conn, peer: this.peer, ...fields }, msg);
  }
  info(fields: object, msg: string): void {
    if (this.parent.isLevelEnabled('info'))
      this.parent.info({ conn: this.conn, peer: this.peer, ...fields }, msg);
  }
  /** A warning, within the connection's budget (see the class comment). */
  warn(fields: object, msg: string): void {
    if (!this.parent.isLevelEnabled('warn')) return;
    const now = Date.now();
    if (now - this.windowStart >= this.budget.windowMs) {
      this.windowStart = now;
      this.warned = 0;
    }
    if (this.warned >= this.budget.perWindow) {
      if (this.suppressed++ === 0)
        this.parent.warn(
          {
            conn: this.conn,
            peer: this.peer,
            limit: this.budget.perWindow,
            windowS: this.budget.windowMs / 1000,
          },
          'further warnings from this connection suppressed',
        );
      return;
    }
    this.warned++;
    this.parent.warn({ conn: this.conn, peer: this.peer, ...fields, ...this.takeSuppressed() }, msg);
  }
  error(fields: object, msg: string): void {
    this.parent.error({ conn: this.conn, peer: this.peer, ...fields }, msg);
  }
  /** A line outside the warning budget (the one closing line of a connection). */
  always(level: 'debug' | 'info' | 'warn', fields: object, msg: string): void {
    if (this.parent.isLevelEnabled(level))
      this.parent[level]({ conn: this.conn, peer: this.peer, ...fields, ...this.takeSuppressed() }, msg);
  }

  /** The connection ended: says how many warnings were suppressed, if any still untold. */
  ended(): void {
    if (this.suppressed > 0)
      this.parent.warn({ conn: this.conn, peer: this.peer, ...this.takeSuppressed() }, 'warnings suppressed');
  }

  private takeSuppressed(): { suppressedWarnings?: number } {
    if (this.suppressed === 0) return {};
    const n = this.suppressed;
    this.suppressed = 0;
    return { suppressedWarnings: n };
  }
}
