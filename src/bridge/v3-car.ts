import type { Logger } from 'pino';
import type { MqttPort } from '../mqtt/mqtt-port.js';
import { decodeCommand } from '../protocol/messages/command.js';
import { encodeAckedHistory } from '../protocol/messages/history.js';
import {
  activeTopic,
  buildV2Messages,
  CONNECTED_METRIC,
  type DistanceUnit,
  distanceUnitFromConfig,
  historyFromDataNotification,
  MetricState,
  type NotifyType,
  pushFromNotification,
  textOf,
  translateCommand,
  ussdReplyFromNotification,
  V2_CODES,
  type V2Code,
  v2SourceMetrics,
} from '../protocol/v3/index.js';
import type { Connection } from '../server/connection.js';
import { LimitedLog } from '../server/limited-log.js';
import type { Link, LinkEvents } from '../server/link.js';
import type { Vehicle } from '../store/store.js';
import { ActivePresence } from './active-presence.js';
import { ModuleCommands } from './module-commands.js';
import { MqttCarLink, type MqttCarLinkHandlers } from './mqtt-car-link.js';

/** What a v3 car needs from the bridge around it (one for all the bridge's cars). */
export interface V3CarHost {
  readonly port: MqttPort;
  readonly log: Logger;
  /** The bridge's own client id level in `client/<cid>/…`. */
  readonly clientId: string;
  readonly idTag: string;
  readonly commandTimeoutMs: number;
  readonly maxMetrics: number;
  /** Attaches a car connection to the hub (OvmsServer.connectCar). */
  connectCar(vehicle: Vehicle, make: (events: LinkEvents) => Link): Connection;
  /** Whether another car connection holds the vehicle now (a v2 login, or this car on another node). */
  carElsewhere(vehicleKey: string): Promise<boolean>;
  /**
   * Takes the module for this node (Bus.claim): every node following the broker reads its
   * `connected = yes` at the same moment, and exactly one of them may attach it.
   */
  claim(vehicleKey: string): Promise<boolean>;
  release(vehicleKey: string): Promise<void>;
}

/** A node that found the module claimed by another looks again this often while it is online. */
export const CLAIM_RETRY_MS = 10_000;

/** Metric updates arriving close together make one rebuild of each v2 message they change. */
export const REBUILD_DELAY_MS = 200;
/** A data record whose storage the hub has not confirmed by then is acknowledged anyway. */
export const DATA_ACK_TIMEOUT_MS = 10_000;

const SOURCES = new Set(v2SourceMetrics());

/**
 * One v3 module as the hub sees it: a car connection like any other, whose lines are built from
 * the module's metrics (V3.md §5) and whose commands, app count and history acknowledgements are
 * turned into MQTT (§2.3, §6, §7). Connected while `metric/s/v3/connected` is `yes`: its will
 * (`no`) or an empty value detaches it.
 */
export class V3Car implements MqttCarLinkHandlers {
  readonly state = new MetricState();
  private units: DistanceUnit = 'K';
  private conn: Connection | undefined;
  private events: LinkEvents | undefined;
  private attaching = false;
  private moduleOnline = false;
  private stopped = false;
  // What follows is made on first use: every idle module keeps a V3Car, most never need these.
  private presence: ActivePresence | undefined;
  private moduleCommands: ModuleCommands | undefined;
  private rebuild: Set<V2Code> | undefined;
  private rebuildTimer: NodeJS.Timeout | undefined;
  /** While another node holds the module: when to try to take it (that node may die). */
  private claimRetry: NodeJS.Timeout | undefined;
  private dataAcks: Map<string, () => void> | undefined;
  private logs: { full: LimitedLog; rejected: LimitedLog; offline: LimitedLog } | undefined;

  constructor(
    private readonly host: V3CarHost,
    readonly vehicle: Vehicle,
    readonly key: string,
    readonly prefix: string,
  ) {}

  private get commands(): ModuleCommands {
    const { port, clientId, idTag, commandTimeoutMs } = this.host;
    this.moduleCommands ??= new ModuleCommands(port, this.prefix, clientId, idTag, commandTimeoutMs);
    return this.moduleCommands;
  }

  /** Warnings a module can cause at will: one line a minute per kind and vehicle. */
  private get limitedLogs(): NonNullable<V3Car['logs']> {
    this.logs ??= { full: new LimitedLog(), rejected: new LimitedLog(), offline: new LimitedLog() };
    return this.logs;
  }

  get attached(): boolean {
    return this.conn !== undefined;
  }

  private get label(): string {
    return `${this.vehicle.ownerName}/${this.vehicle.vehicleId}`;
  }

  // ---- from the module ----------------------------------------------------------------------------

  onMetric(name: string, text: string): void {
    this.touch();
    const isNew = !this.state.has(name) && text !== '' && name !== CONNECTED_METRIC;
    if (isNew && this.state.size >= this.host.maxMetrics) {
      this.limitedLogs.full.event((suppressed) =>
        this.host.log.warn(
          { vehicle: this.label, metric: name, limit: this.host.maxMetrics, suppressed },
          'v3 metric ignored: too many metrics for this vehicle (mqtt.max_metrics_per_vehicle)',
        ),
      );
      return;
    }
    const result = this.state.set(name, text);
    for (const r of result.rejected) {
      this.limitedLogs.rejected.event((suppressed) =>
        this.host.log.warn(
          { vehicle: this.label, metric: r.name, reason: r.reason, suppressed },
          'v3 metric value unreadable',
        ),
      );
    }
    if (name === CONNECTED_METRIC) {
      this.moduleOnline = text === 'yes';
      if (!this.moduleOnline) {
        clearTimeout(this.claimRetry);
        this.claimRetry = undefined;
      }
      if (text === 'yes') void this.attach();
      else this.detach('the module disconnected (v3 connected = no)');
      return;
    }
    if (this.conn) this.scheduleRebuild(result.rebuild);
  }

  onNotify(type: NotifyType, subtype: string, text: string): void {
    this.touch();
    if (!this.whileAttached('notification')) return;
    this.feed('P', pushFromNotification(type, subtype, text));
    const ussd = ussdReplyFromNotification(type, subtype, text);
    if (ussd !== undefined) this.feedLine(ussd);
  }

  /**
   * A `notify/data` record: handed to the hub as an `h` line, so it is stored as a v2 car's; the
   * promise settles when the hub acknowledges it (stored), so the MQTT acknowledgement follows.
   */
  async onData(id: string, age: string, payload: string): Promise<void> {
    this.touch();
    const record = historyFromDataNotification(id, age, payload);
    if (!record.ok) {
      this.limitedLogs.rejected.event((suppressed) =>
        this.host.log.warn(
          { vehicle: this.label, reason: record.reason, suppressed },
          'v3 data record unreadable',
        ),
      );
      return;
    }
    if (!this.whileAttached('data record')) return;
    const { ack } = record.record;
    this.dataAcks ??= new Map();
    const acks = this.dataAcks;
    const stored = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        acks.delete(ack);
        resolve();
      }, DATA_ACK_TIMEOUT_MS);
      acks.set(ack, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.feed('h', encodeAckedHistory(record.record));
    await stored;
  }

  onResponse(commandId: string, output: string): void {
    this.touch();
    this.moduleCommands?.onResponse(commandId, output);
  }

  onConfig(levels: readonly string[], value: string): void {
    this.touch();
    if (levels.join('/') === 'vehicle/units/distance') this.setUnits(distanceUnitFromConfig(value));
    this.moduleCommands?.onConfig(levels, value);
  }

  // ---- to the hub ---------------------------------------------------------------------------------

  private whileAttached(what: string): boolean {
    if (this.conn) return true;
    this.limitedLogs.offline.event((suppressed) =>
      this.host.log.info(
        { vehicle: this.label, suppressed },
        `v3 ${what} dropped: the module is not connected`,
      ),
    );
    return false;
  }

  /** Anything from the module keeps its connection from going idle. */
  private touch(): void {
    if (this.conn) this.conn.lastRx = Date.now();
  }

  private feed(code: string, payload: string): void {
    this.feedLine(code + payload);
  }

  private feedLine(line: string): void {
    this.events?.onLine(Buffer.from(line, 'utf8'));
  }

  private async attach(): Promise<void> {
    if (this.conn || this.attaching) return;
    this.attaching = true;
    clearTimeout(this.claimRetry);
    this.claimRetry = undefined;
    try {
      if (!this.moduleOnline || this.stopped) return;
      if (!(await this.host.claim(this.key))) {
        this.host.log.debug({ vehicle: this.label }, 'v3 module attached by another node');
        this.claimRetry = setTimeout(() => void this.attach(), CLAIM_RETRY_MS);
        this.claimRetry.unref();
        return;
      }
      const elsewhere = this.moduleOnline && !this.stopped && (await this.host.carElsewhere(this.key));
      if (elsewhere)
        this.host.log.info(
          { vehicle: this.label },
          'v3 module ignored: the vehicle is connected by another car connection',
        );
      if (elsewhere || !this.moduleOnline || this.stopped) {
        await this.host.release(this.key);
        return;
      }
      this.conn = this.host.connectCar(this.vehicle, (events) => {
        this.events = events;
        return new MqttCarLink(`mqtt:${this.label}`, events, this);
      });
      this.host.log.info({ vehicle: this.label }, 'v3 module connected');
      // Everything known so far, then the distance unit (3.3.006+ modules answer).
      this.scheduleRebuild(this.knownCodes(), 0);
      void this.commands.readConfig('vehicle', 'units.distance');
    } finally {
      this.attaching = false;
    }
  }

  /** Ends the car connection (its lines already fed are handled first). */
  detach(reason: string): void {
    this.conn?.close(reason);
  }

  /** The hub ended the car connection (MqttCarLinkHandlers). */
  onEnd(): void {
    this.conn = undefined;
    void this.host.release(this.key).catch(() => {});
    this.events = undefined;
    clearTimeout(this.rebuildTimer);
    this.rebuildTimer = undefined;
    this.rebuild = undefined;
    this.presence?.stop();
    this.moduleCommands?.cancelAll();
    const acks = this.dataAcks;
    this.dataAcks = undefined;
    for (const ack of acks?.values() ?? []) ack();
    // Ended by the hub while the module is still online (a v2 login took the vehicle, or the
    // connection went idle): look again.
    if (this.moduleOnline && !this.stopped) setImmediate(() => void this.attach());
  }

  /** Every message once anything is known; X only for a car with generator metrics. */
  private knownCodes(): V2Code[] {
    const names = [...this.state.metrics()].map(([name]) => name);
    if (!names.some((name) => SOURCES.has(name))) return [];
    const generator = names.some((name) => name.startsWith('v.g.'));
    return V2_CODES.filter((code) => code !== 'X' || generator);
  }

  private setUnits(units: DistanceUnit): void {
    if (units === this.units) return;
    this.units = units;
    if (this.conn) this.scheduleRebuild(this.knownCodes());
  }

  private scheduleRebuild(codes: Iterable<V2Code>, delayMs = REBUILD_DELAY_MS): void {
    for (const c of codes) {
      this.rebuild ??= new Set();
      this.rebuild.add(c);
    }
    if (!this.rebuild || this.rebuildTimer) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = undefined;
      const codes = this.rebuild;
      this.rebuild = undefined;
      if (!this.conn || !codes) return;
      for (const m of buildV2Messages(codes, this.state, { units: this.units, online: true }))
        this.feed(m.code, m.payload);
    }, delayMs);
  }

  // ---- from the hub -------------------------------------------------------------------------------

  /** A message the hub sends the car (MqttCarLinkHandlers). */
  onSend(code: string, payload: Buffer): void {
    const text = payload.toString('utf8');
    switch (code) {
      case 'C':
        void this.command(text);
        return;
      case 'Z': {
        const apps = Number(text) || 0;
        if (apps > 0) this.presence ??= this.makePresence();
        this.presence?.set(apps);
        return;
      }
      case 'h': {
        const ack = this.dataAcks?.get(text);
        this.dataAcks?.delete(text);
        ack?.();
        return;
      }
      default:
        // Pings (A), server version (f) and raw messages from apps have no v3 form.
        return;
    }
  }

  private async command(payload: string): Promise<void> {
    const decoded = decodeCommand(payload);
    if (decoded.kind !== 'command') return;
    const translation = translateCommand(decoded, { vehicleType: textOf(this.state, 'v.type') });
    const lines = await this.commands.run(translation).catch((err: Error) => {
      this.host.log.warn({ vehicle: this.label, err: err.message }, 'v3 command failed');
      return [`c${decoded.command},1,${err.message}`];
    });
    for (const line of lines) this.feedLine(line);
  }

  private makePresence(): ActivePresence {
    const { port, clientId } = this.host;
    const topic = activeTopic(this.prefix, clientId);
    return new ActivePresence((payload) => {
      port.publish(topic, payload, { qos: 1 }).catch(() => {});
    });
  }

  /** Stops timers and clears the bridge's presence (server shutdown). */
  stop(): void {
    this.stopped = true;
    this.detach('server shutting down');
    this.presence?.stop();
    clearTimeout(this.rebuildTimer);
    clearTimeout(this.claimRetry);
  }
}
