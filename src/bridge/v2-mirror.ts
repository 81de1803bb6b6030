import type { Logger } from 'pino';
import type { MqttPort } from '../mqtt/mqtt-port.js';
import { decodeCommandResponse } from '../protocol/messages/command.js';
import { decodeMessage } from '../protocol/messages/index.js';
import { mpDecodeForDisplay } from '../protocol/mp-encoding.js';
import {
  CONNECTED_METRIC,
  type DistanceUnit,
  defaultTopicPrefix,
  MetricState,
  metricsFromV2,
  metricTopic,
  type NotifyType,
  notifyTopic,
  responseTopic,
} from '../protocol/v3/index.js';
import type { CarObserver, ObservedCar, ObservedCarMessage } from '../server/car-message-observers.js';
import { vehicleKey } from '../server/hub.js';
import { LimitedLog } from '../server/limited-log.js';
import type { Store, VehicleRef } from '../store/store.js';

/** What the mirror needs around it. */
export interface V2MirrorHost {
  readonly port: MqttPort;
  readonly store: Store;
  readonly log: Logger;
  readonly maxMetrics: number;
  readonly commandTimeoutMs: number;
  /** A command sent by the server (Hub.command): resolves with the `c` payloads. */
  command(ref: VehicleRef, command: number, params: readonly string[], timeoutMs: number): Promise<Buffer[]>;
}

interface Mirrored {
  readonly vehicle: VehicleRef;
  readonly prefix: string;
  readonly state: MetricState;
  units: DistanceUnit;
}

const NOTIFY_BY_PUSH: Readonly<Record<string, NotifyType>> = { A: 'alert', I: 'info', E: 'error' };

/**
 * A v2 car shown on MQTT (the inverse of the mapping, docs/v3-mapping.md): while the car is
 * connected to this node, its messages become retained `metric/…` topics under
 * `ovms/<owner>/<vehicle id>/` (only the values that changed), its alerts `notify/…`, and
 * `metric/s/v3/connected` says `yes`, then `no` when it leaves. Shell commands other clients
 * publish on `client/<cid>/command/<id>` run as v2 command 7; the output goes to `response/<id>`.
 */
export class V2Mirror implements CarObserver {
  private readonly cars = new Map<string, Mirrored>();
  private readonly fullLog = new LimitedLog();
  private readonly nameLog = new LimitedLog();

  constructor(private readonly host: V2MirrorHost) {}

  /** Whether this node mirrors the vehicle now (its own publishes then come back as echoes). */
  has(key: string): boolean {
    return this.cars.has(key);
  }

  carUp(car: ObservedCar): void {
    const vehicle = car.ref;
    let prefix: string;
    try {
      prefix = defaultTopicPrefix(car.ownerName, vehicle.vehicleId);
    } catch (err) {
      this.nameLog.event((suppressed) =>
        this.host.log.warn(
          { vehicle: vehicle.vehicleId, err: (err as Error).message, suppressed },
          'v2 car not shown on MQTT: its owner or vehicle id cannot be a topic level',
        ),
      );
      return;
    }
    const mirrored: Mirrored = { vehicle, prefix, state: new MetricState(), units: 'K' };
    this.cars.set(car.key, mirrored);
    this.publish(metricTopic(prefix, CONNECTED_METRIC), 'yes', true);
    // What the car sent before: a new MQTT subscriber sees the whole state, not only what changes.
    void this.host.store
      .getMessages(vehicle)
      .then((messages) => {
        if (this.cars.get(car.key) !== mirrored) return;
        for (const m of messages) if (!m.paranoid) this.apply(mirrored, m.code, m.payload, false);
      })
      .catch((err: Error) => this.host.log.error({ err }, 'v2 mirror: reading stored messages failed'));
  }

  message(m: ObservedCarMessage): void {
    const mirrored = this.cars.get(m.key ?? vehicleKey(m.ref));
    if (mirrored) this.apply(mirrored, m.code, m.payload, true);
  }

  carDown(car: ObservedCar): void {
    const mirrored = this.cars.get(car.key);
    if (!mirrored) return;
    this.cars.delete(car.key);
    this.publish(metricTopic(mirrored.prefix, CONNECTED_METRIC), 'no', true);
  }

  private apply(mirrored: Mirrored, code: string, payload: Buffer, live: boolean): void {
    const message = decodeMessage(code + payload.toString('utf8'));
    if (message.kind === 'push') {
      if (live) this.notify(mirrored, message.alertType, message.text);
      return;
    }
    if (message.kind === 'status' && (message.fields.units === 'K' || message.fields.units === 'M'))
      mirrored.units = message.fields.units;
    const { metrics } = metricsFromV2(message, { units: mirrored.units });
    if (metrics.length === 0) return;
    const admitted = metrics.filter(([name]) => {
      if (mirrored.state.has(name) || mirrored.state.size < this.host.maxMetrics) return true;
      this.fullLog.event((suppressed) =>
        this.host.log.warn(
          { vehicle: mirrored.vehicle.vehicleId, limit: this.host.maxMetrics, suppressed },
          'v2 metric not shown on MQTT: too many metrics for this vehicle (mqtt.max_metrics_per_vehicle)',
        ),
      );
      return false;
    });
    const { changed } = mirrored.state.apply(admitted);
    for (const name of changed) {
      const text = mirrored.state.text(name);
      if (text !== undefined) this.publish(metricTopic(mirrored.prefix, name), text, true);
    }
  }

  private notify(mirrored: Mirrored, alertType: string, text: string): void {
    const type = NOTIFY_BY_PUSH[alertType];
    if (!type) return;
    // Error texts are `<vehicle type>,<code>,<data>`: the firmware's `code` subtype.
    const subtype = type === 'error' ? 'code' : 'v2';
    const body = type === 'error' ? text : mpDecodeForDisplay(text);
    this.publish(notifyTopic(mirrored.prefix, type, subtype), body, false, 1);
  }

  /** Re-publishes every mirrored metric matching the patterns (`request/metric`, V3.md §2.2). */
  requestMetric(key: string, patterns: string): void {
    const mirrored = this.cars.get(key);
    if (!mirrored) return;
    const wanted = patterns
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    for (const [name, entry] of mirrored.state.metrics()) {
      if (wanted.some((p) => metricPatternMatches(p, name)))
        this.publish(metricTopic(mirrored.prefix, name), entry.text, true);
    }
  }

  /** A shell command for a v2 car, run as v2 command 7; the output goes to `response/<id>`. */
  async command(key: string, clientId: string, commandId: string, line: string): Promise<void> {
    const mirrored = this.cars.get(key);
    if (!mirrored) return;
    const topic = responseTopic(mirrored.prefix, clientId, commandId);
    let output: string;
    try {
      const replies = await this.host.command(mirrored.vehicle, 7, [line], this.host.commandTimeoutMs);
      output = replies
        .map((reply) => {
          const decoded = decodeCommandResponse(reply.toString('utf8'));
          if (decoded.kind !== 'command-response') return reply.toString('utf8');
          const text = mpDecodeForDisplay(decoded.text);
          return decoded.result === 0 ? text : `Error: ${text || `command failed (${decoded.result})`}`;
        })
        .join('\n');
    } catch (err) {
      output = `Error: ${(err as Error).message}`;
    }
    this.publish(topic, output, false, 1);
  }

  private publish(topic: string, payload: string, retain: boolean, qos: 0 | 1 = 0): void {
    this.host.port.publish(topic, payload, { retain, qos }).catch(() => {});
  }

  /** Tells MQTT that the mirrored cars are no longer shown (server shutdown). */
  stop(): void {
    for (const mirrored of this.cars.values())
      this.publish(metricTopic(mirrored.prefix, CONNECTED_METRIC), 'no', true);
    this.cars.clear();
  }
}

/** `request/metric` patterns: an exact name, `prefix*`, `*suffix`, or `*` (V3.md §2.2). */
export function metricPatternMatches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return name.endsWith(pattern.slice(1));
  return pattern === name;
}
