import { EventEmitter } from 'node:events';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  CONNECTED_METRIC,
  configReplyTopic,
  connectedTopic,
  defaultTopicPrefix,
  metricTopic,
  moduleSubscriptions,
  notifyDataTopic,
  notifyTopic,
  parseTopic,
  responseTopic,
} from '../../protocol/v3/index.js';
import { type CarSettings, defaultSettings } from './car-commands.js';
import { ModelPacer } from './model-pacer.js';
import { executeShell, type ShellResult, settingSlot, USSD_NOTIFY_SUBTYPE, ussdAnswer } from './shell.js';
import type { CarLogLevel, SimulationOptions } from './simulator.js';
import { type CarActivity, DEFAULT_V3_INTERVALS, V3Cadence } from './v3-cadence.js';
import { carMetrics } from './v3-metrics.js';
import { type CarIdentity, DEFAULT_IDENTITY } from './vehicle-messages.js';
import { VehicleModel } from './vehicle-model.js';

/**
 * The simulated car as a v3 module (V3.md §1–§7): an MQTT 3.1.1 client with a persistent session
 * (clean session off), the will `no` on `metric/s/v3/connected`, every metric retained at QoS 0
 * (all at login, then the changed ones on the firmware's schedule, faster while a client is
 * present), `notify/info|alert` at QoS 1, history records on `notify/data` at QoS 2 one at a
 * time, and shell commands answered on `client/<cid>/response/<id>`. The car itself is the v2
 * simulator's model; its metrics come from the same messages the v2 simulator sends.
 */

export interface V3CarOptions extends SimulationOptions {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  url: string;
  /** `server.v3 user`: the owner name (or a vehicle id, with an explicit prefix). */
  user: string;
  /** `password server.v3`: the owner's password or an API token with the mqtt right. */
  password: string;
  vehicleId: string;
  /** `server.v3 topic.prefix`; default `ovms/<user>/<vehicle id>/`. Must end with `/`. */
  prefix?: string;
  tls?: { ca?: Buffer; rejectUnauthorized?: boolean };
  /** Reconnect delay after a lost connection, real ms. */
  reconnectMs?: number;
}

/**
 * The vehicle type it reports by default: the firmware's demonstration vehicle. As `RT` (a Twizy,
 * the model's car) a bridge refuses commands 20–24, which the Twizy uses for other things (V3.md §6.4).
 */
export const V3_VEHICLE_TYPE = 'DEMO';

/** Since 3.3.005 the module's keep-alive (`server.v3 updatetime.keepalive`). */
const KEEPALIVE_SECONDS = 1740;
/** A client's arrival brings a full send only if the last one is older than this (3.3.006). */
const FULL_SEND_AGAIN_MS = 30_000;
/** The network's USSD answer comes this many simulated seconds after the request. */
const USSD_DELAY_SECONDS = 3;
/** CONNACK codes the firmware treats as final: it stops retrying (edge firmware, V3.md §1.3). */
const FINAL_REFUSALS = new Set([1, 2, 4, 5]);

interface Notification {
  type: 'info' | 'alert';
  subtype: string;
  text: string;
}

interface DataRecord {
  id: number;
  createdMs: number;
  subtype: string;
  payload: string;
}

/** `*-LOG-Trip` → `log.trip`, the notification subtype its records travel under. */
function dataSubtype(type: string): string {
  const log = /^\*-LOG-(\w+)$/.exec(type);
  return log ? `log.${log[1]!.toLowerCase()}` : 'data';
}

/**
 * Events: 'log' (level, message), 'published' (topic, payload), 'command' (line, output),
 * 'login', 'fatal' (error: the broker refused the login for good).
 */
export class V3CarSimulator extends EventEmitter {
  readonly model: VehicleModel;
  readonly settings: CarSettings;
  readonly prefix: string;
  readonly ready: Promise<void>;
  private readonly client: MqttClient;
  private readonly identity: CarIdentity;
  private readonly cadence: V3Cadence;
  private readonly clock: () => number;
  private readonly speedUp: number;
  private readonly ticker: NodeJS.Timeout;
  private readonly pacer: ModelPacer;
  private lastFullMs = Number.NEGATIVE_INFINITY;
  private sendModifiedNow = false;
  private notifications: Notification[] = [];
  private readonly data: DataRecord[] = [];
  private dataInFlight = false;
  private nextNotificationId = 1;
  private followUps: { at: number; notification: Notification }[] = [];
  private stopped = false;
  private settleReady: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(private readonly options: V3CarOptions) {
    super();
    this.clock = options.clock ?? Date.now;
    this.speedUp = options.speedUp ?? 1;
    this.identity = { ...DEFAULT_IDENTITY, vehicleType: V3_VEHICLE_TYPE, ...options.identity };
    const vehicleId = options.vehicleId.toUpperCase();
    this.prefix = options.prefix ?? defaultTopicPrefix(options.user, vehicleId);
    this.model = new VehicleModel({ seed: options.seed, scenario: options.scenario, startMs: this.clock() });
    this.settings = defaultSettings({
      pin: options.pin ?? '1234',
      vehicleId,
      server: new URL(options.url).hostname,
      vehicleType: this.identity.vehicleType,
    });
    this.cadence = new V3Cadence({
      ...DEFAULT_V3_INTERVALS,
      idle: options.intervalIdle ?? DEFAULT_V3_INTERVALS.idle,
      connected: options.intervalConnected ?? DEFAULT_V3_INTERVALS.connected,
    });
    this.pacer = new ModelPacer(this.model, this.clock, this.speedUp);
    this.ready = new Promise<void>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    this.ready.catch(() => {});
    this.client = connect(options.url, this.clientOptions(vehicleId));
    this.client.on('connect', () => this.onConnect());
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload.toString()));
    this.client.on('close', () => {
      if (!this.stopped) this.log('warn', 'connection lost');
    });
    this.client.on('reconnect', () => this.log('info', 'reconnecting'));
    this.client.on('error', (err) => this.onError(err as Error & { code?: unknown }));
    this.ticker = setInterval(() => this.tick(), options.tickMs ?? 250);
  }

  private clientOptions(vehicleId: string): IClientOptions {
    const o = this.options;
    return {
      protocolVersion: 4,
      // The firmware's client id defaults to the vehicle id, and it never asks for a clean session.
      clientId: vehicleId,
      clean: false,
      username: o.user,
      password: o.password,
      keepalive: KEEPALIVE_SECONDS,
      reconnectPeriod: o.reconnectMs ?? 5000,
      // Metrics are current values: nothing is queued while offline (the full send follows login).
      queueQoSZero: false,
      will: { topic: connectedTopic(this.prefix), payload: Buffer.from('no'), qos: 0, retain: true },
      ...(o.tls?.ca ? { ca: o.tls.ca } : {}),
      ...(o.tls?.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    };
  }

  private log(level: CarLogLevel, message: string): void {
    this.emit('log', level, message);
  }

  private simSeconds(): number {
    return this.model.timeMs / 1000;
  }

  private activity(): CarActivity {
    return {
      on: this.model.state.phase === 'drive',
      charging: this.model.charging,
      awake: this.model.awake,
    };
  }

  /** The metrics as the module holds them now, its own `s.v3.*` included. */
  private metrics(): Map<string, string> {
    const metrics = carMetrics(this.model, this.identity);
    metrics.set('s.v3.peers', String(this.cadence.peers));
    // Last, so that a bridge attaching on `yes` already has the car's values.
    metrics.set(CONNECTED_METRIC, 'yes');
    return metrics;
  }

  private onConnect(): void {
    const where = new URL(this.options.url);
    this.log(
      'info',
      `connected to ${where.protocol}//${where.host} as ${this.options.user}, prefix ${this.prefix}`,
    );
    this.client.subscribe(moduleSubscriptions(this.prefix), { qos: 1 }, (err) => {
      if (err && !this.stopped) this.log('warn', `subscribe failed: ${err.message}`);
    });
    this.sendFull();
    this.flushNotifications();
    this.pumpData();
    this.settleReady?.resolve();
    this.emit('login');
  }

  private onError(err: Error & { code?: unknown }): void {
    if (typeof err.code === 'number' && FINAL_REFUSALS.has(err.code)) {
      this.log('error', `login refused (${err.message}): wrong user or password; not retrying`);
      this.settleReady?.reject(err);
      this.emit('fatal', err);
      return;
    }
    if (err.code === 3) {
      // Server unavailable: the firmware tries again later.
      this.log('warn', `${err.message}; retrying`);
      setTimeout(() => {
        if (!this.stopped) this.client.reconnect();
      }, this.options.reconnectMs ?? 5000).unref();
      return;
    }
    this.log('warn', err.message);
  }

  private publish(topic: string, payload: string, qos: 0 | 1 | 2, retain = false): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(topic, payload, { qos, retain }, (err) => {
        if (err) reject(err);
        else resolve();
      });
      this.emit('published', topic, payload);
      this.log('debug', `published ${topic} ${payload.replaceAll('\n', ' | ')}`);
    });
  }

  private publishMetrics(metrics: [string, string][]): void {
    for (const [name, text] of metrics) {
      void this.publish(metricTopic(this.prefix, name), text, 0, true).catch(() => {});
    }
  }

  private sendFull(): void {
    this.lastFullMs = this.clock();
    this.publishMetrics(this.cadence.full(this.metrics(), this.simSeconds()));
  }

  private sendModified(): void {
    this.sendModifiedNow = false;
    this.publishMetrics(this.cadence.modified(this.metrics(), this.simSeconds()));
  }

  private onMessage(topic: string, payload: string): void {
    const parsed = parseTopic(topic, this.prefix);
    if (!parsed.ok) return;
    const t = parsed.topic;
    switch (t.kind) {
      case 'client-active':
        if (this.cadence.presence(t.clientId, payload, this.clock())) this.onPeersChanged();
        return;
      case 'client-command':
        this.onCommand(t.clientId, t.commandId, payload);
        return;
      case 'client-request-metric':
        this.republish(payload);
        return;
      case 'client-request-config':
        this.answerConfig(t.clientId, payload.trim());
        return;
      default:
        return;
    }
  }

  /** `app.connected` (3.3.006): a full send unless one went out in the last 30 s. */
  private onPeersChanged(): void {
    const peers = this.cadence.peers;
    this.log('info', `${peers} client${peers === 1 ? '' : 's'} present`);
    if (peers > 0 && this.clock() - this.lastFullMs > FULL_SEND_AGAIN_MS) this.sendFull();
    else this.sendModifiedNow = true;
    setImmediate(() => this.tick());
  }

  private onCommand(clientId: string, commandId: string, line: string): void {
    const result = executeShell(
      { model: this.model, settings: this.settings, metrics: () => this.metrics() },
      line,
    );
    this.log('info', `command from ${clientId}: ${line} → ${result.output.split('\n', 1)[0]}`);
    this.emit('command', line, result.output);
    void this.publish(responseTopic(this.prefix, clientId, commandId), result.output, 1).catch(() => {});
    this.applyEffects(result);
  }

  private applyEffects(result: ShellResult): void {
    if (result.changed) this.sendModifiedNow = true;
    if (result.update === 'all') this.sendFull();
    else if (result.update === 'modified') this.sendModifiedNow = true;
    if (result.notify) this.notify(result.notify);
    if (result.ussd !== undefined) {
      this.followUps.push({
        at: this.simSeconds() + USSD_DELAY_SECONDS,
        notification: {
          type: 'info',
          subtype: USSD_NOTIFY_SUBTYPE,
          text: `USSD:\n\n${ussdAnswer(result.ussd)}`,
        },
      });
    }
    if (result.reboot) this.reboot();
    else setImmediate(() => this.tick());
  }

  /** `request/metric`: every matching metric again (exact names, `prefix*`, `*suffix`, `*`). */
  private republish(patterns: string): void {
    const tests = patterns
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')
      .map((p): ((name: string) => boolean) =>
        p === '*'
          ? () => true
          : p.endsWith('*')
            ? (name) => name.startsWith(p.slice(0, -1))
            : p.startsWith('*')
              ? (name) => name.endsWith(p.slice(1))
              : (name) => name === p,
      );
    this.publishMetrics([...this.metrics()].filter(([name]) => tests.some((test) => test(name))));
  }

  /** `request/config` `<param>/<instance>`: the value, empty when unknown; secrets never. */
  private answerConfig(clientId: string, request: string): void {
    const cut = request.indexOf('/');
    if (cut <= 0 || cut === request.length - 1) return;
    const [param, instance] = [request.slice(0, cut), request.slice(cut + 1)];
    const slot = settingSlot(this.settings, param, instance);
    const value = slot && param !== 'password' ? (slot.list[slot.index] ?? '') : '';
    try {
      void this.publish(configReplyTopic(this.prefix, clientId, param, instance), value, 0).catch(() => {});
    } catch (err) {
      this.log('warn', `cannot answer config request ${JSON.stringify(request)}: ${(err as Error).message}`);
    }
  }

  private notify(n: Notification): void {
    this.log('info', `notification ${n.type}/${n.subtype}: ${n.text.replaceAll('\n', ' | ')}`);
    this.notifications.push(n);
    this.flushNotifications();
  }

  /** info/alert notifications wait in RAM while offline, and go out after login (QoS 1). */
  private flushNotifications(): void {
    if (!this.client.connected) return;
    for (const n of this.notifications.splice(0)) {
      this.nextNotificationId++;
      void this.publish(notifyTopic(this.prefix, n.type, n.subtype), n.text, 1).catch(() => {});
    }
  }

  /** History records: QoS 2, one in flight; the next goes once the broker has it. */
  private pumpData(): void {
    const next = this.data[0];
    if (this.dataInFlight || !next || !this.client.connected || this.stopped) return;
    this.dataInFlight = true;
    const age = String(-Math.max(0, Math.floor((this.clock() - next.createdMs) / 1000)));
    this.publish(notifyDataTopic(this.prefix, next.subtype, String(next.id), age), next.payload, 2).then(
      () => {
        this.dataInFlight = false;
        this.data.shift();
        this.pumpData();
      },
      () => {
        // Dropped with the connection; sent again after the next login.
        this.dataInFlight = false;
      },
    );
  }

  /** `module reset`: the connection drops without DISCONNECT (the will fires), then a fresh login. */
  private reboot(): void {
    this.log('info', 'module reset: restarting');
    this.cadence.reset();
    this.nextNotificationId = 1;
    this.client.stream?.destroy();
  }

  private tick(): void {
    if (this.stopped) return;
    const now = this.pacer.step();
    for (const event of this.model.takeEvents()) {
      if (event.kind === 'changed') this.sendModifiedNow = true;
      else if (event.kind === 'history') {
        const payload = `${event.type},${event.recno},${event.lifetime},${event.data}`;
        this.data.push({
          id: this.nextNotificationId++,
          createdMs: now,
          subtype: dataSubtype(event.type),
          payload,
        });
      } else {
        this.notify({
          type: event.alertType === 'A' ? 'alert' : 'info',
          subtype: event.subtype,
          text: event.text,
        });
      }
    }
    const sim = this.simSeconds();
    for (const f of this.followUps.filter((x) => sim >= x.at)) this.notify(f.notification);
    this.followUps = this.followUps.filter((x) => sim < x.at);
    if (!this.client.connected) return;
    if (this.cadence.sweep(now)) this.onPeersChanged();
    if (this.sendModifiedNow || this.cadence.modifiedDue(sim, this.activity())) this.sendModified();
    this.pumpData();
  }

  /** Metrics published so far (for tests that clean up the broker's retained topics). */
  get publishedMetrics(): string[] {
    return [...this.metrics().keys()];
  }

  /** Like the firmware, the module never says goodbye: the TCP connection just closes (the will fires). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    this.settleReady?.resolve();
    this.client.stream?.destroy();
    await this.client.endAsync(true);
  }
}

export function startV3Car(options: V3CarOptions): V3CarSimulator {
  return new V3CarSimulator(options);
}
