import { EventEmitter } from 'node:events';
import {
  LoginRefusedError,
  OvmsClient,
  type OvmsClientOptions,
  type ReceivedMessage,
} from '../../client/ovms-client.js';
import { decodeCommand } from '../../protocol/messages/index.js';
import { mpEncode } from '../../protocol/mp-encoding.js';
import { answerCommand, type CarSettings, defaultSettings, FEATURE_STREAM } from './car-commands.js';
import { HistoryOutbox } from './history-outbox.js';
import { ModelPacer } from './model-pacer.js';
import { SendSchedule } from './send-schedule.js';
import { carMetrics } from './v3-metrics.js';
import {
  type CarIdentity,
  DEFAULT_IDENTITY,
  environmentPayload,
  firmwarePayload,
  locationPayload,
  statusPayload,
  tpmsLegacyPayload,
  tpmsPayload,
} from './vehicle-messages.js';
import { VehicleModel } from './vehicle-model.js';
import type { Phase } from './vehicle-state.js';

/**
 * The simulated v3 module's I/O: logs in as a car, sends what the model says when a v3 module
 * would (WIRE.md §2.5, §6), answers commands, and keeps its `h` records until they are acked.
 * Simulated time runs `speedUp` times faster than the clock; every schedule below (periodic
 * S+D, L streaming, the USSD answer) is in simulated seconds, while protocol timers that guard the
 * connection (h resend, reconnect) stay in real time.
 */

/** What both simulated modules (v2 and v3) take: the car, its pace and its update intervals. */
export interface SimulationOptions {
  pin?: string;
  speedUp?: number;
  seed?: number;
  scenario?: Phase;
  /** Updates with no apps connected, simulated seconds (v3 `updatetime.idle`). */
  intervalIdle?: number;
  /** Updates while apps are connected (v3 `updatetime.connected`). */
  intervalConnected?: number;
  identity?: Partial<CarIdentity>;
  /** How often the model is stepped, real ms. */
  tickMs?: number;
  /** Real time source, for tests. */
  clock?: () => number;
}

export interface CarOptions extends SimulationOptions {
  client: Omit<OvmsClientOptions, 'clientType'>;
}

/** How long the car gathers reasons for a full set before sending it, real ms. */
const FULL_SET_DELAY_MS = 150;

export type CarLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Events: 'log' (level, message), 'sent' (code, payload), 'received' (code, text), 'login',
 * 'fatal' (error: the login was refused, the car has stopped).
 */
export class CarSimulator extends EventEmitter {
  readonly model: VehicleModel;
  readonly settings: CarSettings;
  readonly ready: Promise<void>;
  private readonly client: OvmsClient;
  private readonly identity: CarIdentity;
  private readonly outbox = new HistoryOutbox();
  private readonly clock: () => number;
  private readonly speedUp: number;
  private readonly schedule: SendSchedule;
  private ticker: NodeJS.Timeout | undefined;
  private readonly pacer: ModelPacer;
  private booting = true;
  private fullSetTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Set while the car closes its own connection (stop, reboot): not worth a warning. */
  private closing = false;
  private pendingPush: string[] = [];
  private lastL = '';
  private lastY = '';
  private retryTimer: NodeJS.Timeout | undefined;
  private cancelWait: (() => void) | undefined;

  constructor(private readonly options: CarOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    this.speedUp = options.speedUp ?? 1;
    this.identity = { ...DEFAULT_IDENTITY, ...options.identity };
    this.model = new VehicleModel({ seed: options.seed, scenario: options.scenario, startMs: this.clock() });
    this.settings = defaultSettings({
      pin: options.pin ?? '1234',
      vehicleId: options.client.vehicleId.toUpperCase(),
      server: options.client.host,
      vehicleType: this.identity.vehicleType,
    });
    this.pacer = new ModelPacer(this.model, this.clock, this.speedUp);
    this.schedule = new SendSchedule(
      { idle: options.intervalIdle ?? 600, connected: options.intervalConnected ?? 60 },
      this.simSeconds(),
    );
    this.client = new OvmsClient({
      keepaliveMs: 900_000,
      reconnect: { initialDelayMs: 1000, maxDelayMs: 60_000 },
      ...options.client,
      clientType: 'C',
    });
    this.client.on('login', () => this.onLogin());
    this.client.on('message', (m: ReceivedMessage) => this.onMessage(m));
    this.client.on('disconnect', (err?: Error) => {
      if (!this.closing) this.log('warn', `connection lost${err ? `: ${err.message}` : ''}`);
    });
    this.client.on('reconnecting', (ms: number) =>
      this.log('info', `reconnecting in ${(ms / 1000).toFixed(1)} s`),
    );
    this.client.on('error', (err: Error) => this.onClientError(err));
    this.ready = this.connectLoop();
    this.ready.catch(() => {});
    this.ticker = setInterval(() => this.tick(), options.tickMs ?? 250);
  }

  private simSeconds(): number {
    return this.model.timeMs / 1000;
  }

  private log(level: CarLogLevel, message: string): void {
    this.emit('log', level, message);
  }

  /** First connection (and after a reboot): retries network errors, gives up on a refused login. */
  private async connectLoop(): Promise<void> {
    let delay = 1000;
    for (;;) {
      if (this.stopped) return;
      try {
        await this.client.connect();
        return;
      } catch (err) {
        if (err instanceof LoginRefusedError) {
          this.fail(err);
          throw err;
        }
        this.log('warn', `cannot connect: ${(err as Error).message}; retrying in ${delay / 1000} s`);
        await new Promise<void>((resolve) => {
          this.retryTimer = setTimeout(resolve, delay);
          this.cancelWait = resolve;
        });
        delay = Math.min(60_000, delay * 2);
      }
    }
  }

  private onClientError(err: Error): void {
    // Like a v3 module since 2026-08: a refused login stops the retries for good.
    if (err instanceof LoginRefusedError) this.fail(err);
    else this.log('warn', err.message);
  }

  private fail(err: Error): void {
    this.log('error', 'login refused: unknown vehicle id or wrong password; not retrying');
    this.emit('fatal', err);
  }

  private onLogin(): void {
    const o = this.options.client;
    this.log('info', `logged in to ${o.host}:${o.port} as car ${o.vehicleId.toUpperCase()}`);
    this.outbox.resendAll();
    for (const push of this.pendingPush.splice(0)) this.send('P', push);
    if (this.booting) {
      this.booting = false;
      this.queueFullSet();
    }
    this.emit('login');
  }

  private onMessage(m: ReceivedMessage): void {
    this.emit('received', m.code, m.text);
    this.log('debug', `received ${m.code}${m.text}`);
    if (m.code === 'Z') this.onPeers(Number.parseInt(m.text, 10) || 0);
    else if (m.code === 'h') this.outbox.acknowledge(m.text);
    else if (m.code === 'C') this.onCommand(m.text);
  }

  /** More peers than before means a new app wants the full picture (that is how v3 reads Z). */
  private onPeers(count: number): void {
    if (this.schedule.setPeers(count, this.simSeconds())) this.queueFullSet();
  }

  private onCommand(payload: string): void {
    const command = decodeCommand(payload);
    if (command.kind !== 'command') {
      this.log('warn', `ignoring malformed command C${payload}`);
      return;
    }
    const outcome = answerCommand(this.model, this.settings, command, () =>
      carMetrics(this.model, this.identity),
    );
    for (const reply of outcome.replies) this.send('c', reply);
    if (outcome.followUp) {
      this.schedule.addFollowUp(this.simSeconds() + outcome.followUp.afterSeconds, outcome.followUp.reply);
    }
    if (outcome.changed) this.schedule.markChanged();
    if (outcome.changed || outcome.followUp) setImmediate(() => this.tick());
    if (outcome.reboot) void this.reboot();
  }

  /** Command 5: v3 sends an empty line (impossible through the client) and restarts. */
  private async reboot(): Promise<void> {
    this.log('info', 'reboot requested (command 5): restarting the module');
    this.closing = true;
    await this.client.close();
    this.closing = false;
    if (this.stopped) return;
    this.booting = true;
    this.schedule.resetPeers();
    const delay = Math.max(200, 3000 / this.speedUp);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) void this.connectLoop().catch(() => {});
    }, delay);
  }

  /**
   * A short delay lets the triggers that come together (login after boot, then the server's Z)
   * produce one full set, as v3's once-a-second ticker does.
   */
  private queueFullSet(): void {
    if (this.fullSetTimer) return;
    this.fullSetTimer = setTimeout(() => {
      this.fullSetTimer = undefined;
      if (this.client.connected && !this.stopped) this.sendFullSet();
    }, FULL_SET_DELAY_MS);
  }

  /** S, D, L, Y, W, F in the order v3 sends them, W right after Y. */
  private sendFullSet(): void {
    this.send('S', statusPayload(this.model));
    this.send('D', environmentPayload(this.model));
    this.sendLocation(true);
    this.sendTpms(true);
    this.send('F', firmwarePayload(this.model, this.identity));
    this.schedule.fullSetSent(this.simSeconds());
  }

  private sendLocation(always: boolean): void {
    const l = locationPayload(this.model);
    if (!always && l === this.lastL) return;
    this.lastL = l;
    this.send('L', l);
  }

  private sendTpms(always: boolean): void {
    const y = tpmsPayload(this.model);
    if (!always && y === this.lastY) return;
    this.lastY = y;
    this.send('Y', y);
    this.send('W', tpmsLegacyPayload(this.model));
  }

  private send(code: string, payload: string): void {
    if (this.client.send(code, payload)) {
      this.emit('sent', code, payload);
      this.log('debug', `sent ${code}${payload}`);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.pacer.step();
    for (const event of this.model.takeEvents()) {
      if (event.kind === 'changed') this.schedule.markChanged();
      else if (event.kind === 'history') this.outbox.add(event, now);
      else {
        const push = event.alertType + mpEncode(event.text);
        this.log('info', `notification ${push.replaceAll('\r', ' | ')}`);
        if (this.client.connected) this.send('P', push);
        else this.pendingPush.push(push);
      }
    }
    if (!this.client.connected) return;
    const stream = Number(this.settings.features[FEATURE_STREAM]) || 0;
    const due = this.schedule.due(this.simSeconds(), stream, this.model.state.phase === 'drive');
    if (due.statusAndEnvironment) {
      this.send('S', statusPayload(this.model));
      this.send('D', environmentPayload(this.model));
    }
    if (due.extras || due.location) this.sendLocation(false);
    if (due.extras) this.sendTpms(false);
    for (const reply of due.replies) this.send('c', reply);
    for (const h of this.outbox.due(now)) this.send('h', h);
  }

  /** Records still waiting for the server's ack. */
  get unackedHistory(): number {
    return this.outbox.size;
  }

  get isConnected(): boolean {
    return this.client.connected;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.fullSetTimer) clearTimeout(this.fullSetTimer);
    this.cancelWait?.();
    this.closing = true;
    await this.client.close();
  }
}

/** Starts a simulated car; `await car.ready` for the first login. */
export function startCar(options: CarOptions): CarSimulator {
  return new CarSimulator(options);
}
