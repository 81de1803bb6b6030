import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type tls from 'node:tls';
import { tokenFromBytes } from '../protocol/digest.js';
import { frameLine } from '../protocol/framing.js';
import { clientWelcomeLine, completeClientHandshake } from '../protocol/handshake.js';
import { type LineCodec, type Message, Scheme1Codec } from '../protocol/line-codec.js';
import { type Message as DecodedMessage, decodeMessage } from '../protocol/messages/index.js';
import { type ClientType, formatScheme1Welcome, parseServerWelcome } from '../protocol/welcome.js';
import { CommandQueue, type CommandResponse } from './command-queue.js';
import { type LineTransport, openTransport, type TransportKind } from './transport.js';

export interface OvmsClientOptions {
  host: string;
  port: number;
  transport?: TransportKind;
  tls?: tls.ConnectionOptions;
  clientType: Exclude<ClientType, 'S'>;
  vehicleId: string;
  /** Scheme 0: the vehicle's shared secret (the car's "server password"). */
  secret?: string;
  /** Scheme 1: owner name and password or API token instead of the secret. */
  scheme?: 0 | 1;
  username?: string;
  password?: string;
  /** Time allowed for connect + login. */
  loginTimeoutMs?: number;
  /** Default time a command waits for its reply. */
  commandTimeoutMs?: number;
  /** Send a ping `A` when nothing was sent for this long; 0 disables. */
  keepaliveMs?: number;
  /** Reconnect after a lost connection (not after a refused login). */
  reconnect?: boolean | { initialDelayMs?: number; maxDelayMs?: number };
  maxLineLength?: number;
  /** Token source, for tests. */
  nextToken?: () => string;
}

export interface ReceivedMessage extends Message {
  /** The payload as UTF-8 text (what cars send in free text). */
  readonly text: string;
  /** The message decoded by the catalogue (fields by name), as the server sent it. */
  readonly decoded: DecodedMessage;
}

/** A received message; the text is decoded only when asked for (load generators never ask). */
class Received implements ReceivedMessage {
  private textValue: string | undefined;
  private decodedValue: DecodedMessage | undefined;
  constructor(
    readonly code: string,
    readonly payload: Buffer,
  ) {}
  get text(): string {
    this.textValue ??= this.payload.toString('utf8');
    return this.textValue;
  }
  get decoded(): DecodedMessage {
    // Latin-1 keeps every byte as one character, as the catalogue expects.
    this.decodedValue ??= decodeMessage(this.code + this.payload.toString('latin1'), 'server');
    return this.decodedValue;
  }
}

/** The server closed the connection during login: unknown vehicle or wrong secret. */
export class LoginRefusedError extends Error {
  readonly code = 'OVMS_ERR_LOGIN_REFUSED';
  constructor(
    message = 'the server closed the connection during login (unknown vehicle id or wrong password)',
  ) {
    super(message);
    this.name = 'LoginRefusedError';
  }
}

type State = 'idle' | 'connecting' | 'open' | 'closed';

/**
 * An OVMS protocol v2 client for the car, app and batch roles. Events: 'message' (every decoded
 * message), 'login' (after each successful login, with the scheme-1 vehicle list when any),
 * 'disconnect' (error?), 'reconnecting' (delayMs), 'error'.
 */
export class OvmsClient extends EventEmitter {
  readonly options: OvmsClientOptions;
  private transport: LineTransport | undefined;
  private codec: LineCodec | undefined;
  private state: State = 'idle';
  private readonly commands: CommandQueue;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = 0;
  private lastSent = 0;
  private loggedIn = false;
  /** Vehicle ids of the account (scheme 1 only). */
  vehicleIds: string[] = [];

  constructor(options: OvmsClientOptions) {
    super();
    this.options = { ...options, vehicleId: options.vehicleId.toUpperCase() };
    this.commands = new CommandQueue(
      (code, payload) => this.send(code, payload),
      options.commandTimeoutMs ?? 30_000,
    );
  }

  get connected(): boolean {
    return this.state === 'open';
  }

  /** Connects and logs in; rejects with LoginRefusedError when the server refuses the login. */
  async connect(): Promise<void> {
    if (this.state === 'open' || this.state === 'connecting') throw new Error('already connected');
    this.state = 'connecting';
    try {
      await this.login();
    } catch (err) {
      this.state = 'closed';
      throw err;
    }
  }

  private login(): Promise<void> {
    const o = this.options;
    const scheme = o.scheme ?? 0;
    const clientToken = o.nextToken ? o.nextToken() : tokenFromBytes(randomBytes(22));
    let welcome: string;
    if (scheme === 1) {
      if (!o.username || !o.password) throw new Error('scheme 1 needs a username and a password');
      welcome = formatScheme1Welcome({
        clientType: o.clientType,
        username: o.username,
        password: o.password,
        vehicleId: o.vehicleId,
      });
    } else {
      if (!o.secret) throw new Error('scheme 0 needs the vehicle secret');
      welcome = clientWelcomeLine({
        secret: o.secret,
        clientType: o.clientType,
        vehicleId: o.vehicleId,
        clientToken,
      });
    }

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.transport?.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error('login timed out')), o.loginTimeoutMs ?? 30_000);

      const onFirstLine = (line: Buffer) => {
        const reply = parseServerWelcome(line.toString('utf8'));
        if (scheme === 1) {
          if (reply.kind !== 'welcome1') return fail(new Error(`unexpected server reply: ${reply.kind}`));
          this.codec = new Scheme1Codec();
          this.vehicleIds = reply.vehicleIds;
          if (o.vehicleId === '*') this.options.vehicleId = reply.vehicleId;
        } else {
          const done = completeClientHandshake(o.secret!, clientToken, reply);
          if (!done.ok) return fail(new Error(done.error));
          this.codec = done.codec;
        }
        settled = true;
        clearTimeout(timer);
        this.state = 'open';
        this.loggedIn = true;
        this.reconnectDelay = 0;
        this.startKeepalive();
        resolve();
        this.emit('login', { vehicleIds: this.vehicleIds });
      };

      openTransport(
        {
          kind: o.transport ?? 'tcp',
          host: o.host,
          port: o.port,
          tls: o.tls,
          maxLineLength: o.maxLineLength,
          connectTimeoutMs: o.loginTimeoutMs,
        },
        {
          onLine: (line) => (this.codec ? this.onLine(line) : onFirstLine(line)),
          onClose: (error) => {
            if (!settled) return fail(new LoginRefusedError());
            this.onClosed(error);
          },
        },
      ).then(
        (transport) => {
          if (settled) return transport.destroy();
          this.transport = transport;
          this.lastSent = Date.now();
          transport.send(frameLine(welcome));
        },
        (err: Error) => fail(err),
      );
    });
  }

  private onLine(line: Buffer): void {
    const decoded = this.codec!.decode(line);
    if (!decoded.ok) {
      // As a car does: a line that does not decrypt means the streams are out of step.
      this.emit('error', new Error(`invalid server message: ${decoded.error}`));
      this.transport?.destroy();
      return;
    }
    const message = new Received(decoded.message.code, decoded.message.payload);
    if (message.code === 'A') this.send('a');
    if (message.code === 'c') this.commands.onResponse(message.text);
    this.emit('message', message);
  }

  private onClosed(error?: Error): void {
    const wasOpen = this.loggedIn;
    this.loggedIn = false;
    this.stopKeepalive();
    this.codec = undefined;
    this.transport = undefined;
    this.commands.failAll(new Error('connection closed'));
    if (this.state !== 'closed') this.state = 'idle';
    if (wasOpen) this.emit('disconnect', error);
    if (this.state !== 'closed' && this.options.reconnect) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const r = typeof this.options.reconnect === 'object' ? this.options.reconnect : {};
    const initial = r.initialDelayMs ?? 1000;
    const max = r.maxDelayMs ?? 60_000;
    this.reconnectDelay = this.reconnectDelay === 0 ? initial : Math.min(max, this.reconnectDelay * 2);
    const delay = Math.round(this.reconnectDelay * (0.75 + Math.random() * 0.5));
    this.emit('reconnecting', delay);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state === 'closed') return;
      this.state = 'connecting';
      this.login().catch((err: Error) => {
        if (this.state === 'closed') return;
        this.state = 'idle';
        if (err instanceof LoginRefusedError) {
          // Like a v3 car since 2026-08: a refused login stops the retries.
          this.emit('error', err);
          return;
        }
        this.scheduleReconnect();
      });
    }, delay);
  }

  private startKeepalive(): void {
    const every = this.options.keepaliveMs ?? 0;
    if (every <= 0) return;
    this.keepaliveTimer = setInterval(
      () => {
        if (Date.now() - this.lastSent >= every) this.send('A');
      },
      Math.min(every, 60_000),
    );
    this.keepaliveTimer.unref();
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  /** Sends one message (code + payload); returns false when not connected. */
  send(code: string, payload?: string | Uint8Array): boolean {
    if (this.state !== 'open' || !this.codec || !this.transport) return false;
    this.transport.send(this.codec.encode(code, payload));
    this.lastSent = Date.now();
    return true;
  }

  /**
   * Sends `C<code>[,<params>]` and resolves with every `c` line of the reply (several for the
   * list commands 1, 3, 30, 31, 32). Rejects on timeout or disconnect.
   */
  command(
    code: number,
    params: readonly (string | number)[] = [],
    opts: { timeoutMs?: number } = {},
  ): Promise<CommandResponse> {
    if (this.state !== 'open') return Promise.reject(new Error('not connected'));
    return this.commands.submit(code, params.map(String), opts.timeoutMs);
  }

  /** Waits for the next message matching `filter` (e.g. a given code), or times out. */
  waitFor(filter: (m: ReceivedMessage) => boolean, timeoutMs = 10_000): Promise<ReceivedMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('message', onMessage);
        reject(new Error('timed out waiting for a message'));
      }, timeoutMs);
      const onMessage = (m: ReceivedMessage) => {
        if (!filter(m)) return;
        clearTimeout(timer);
        this.off('message', onMessage);
        resolve(m);
      };
      this.on('message', onMessage);
    });
  }

  /** Closes the connection and stops reconnecting. */
  close(): Promise<void> {
    const wasActive = this.loggedIn;
    this.state = 'closed';
    this.stopKeepalive();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const transport = this.transport;
    if (!transport || !wasActive) {
      transport?.destroy();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // A server that never closes its side gets 2 s; the timer goes with the connection.
      const timer = setTimeout(() => transport.destroy(), 2000).unref();
      this.once('disconnect', () => {
        clearTimeout(timer);
        resolve();
      });
      transport.close();
    });
  }
}
