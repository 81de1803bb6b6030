import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config.js';
import type { MqttPort } from '../mqtt/mqtt-port.js';
import { parseRelativeTopic, splitDefaultPrefix, type V3Topic } from '../protocol/v3/index.js';
import type { Connection } from '../server/connection.js';
import { type Hub, vehicleKey } from '../server/hub.js';
import { LimitedLog } from '../server/limited-log.js';
import type { Link, LinkEvents } from '../server/link.js';
import type { Vehicle } from '../store/store.js';
import { V2Mirror } from './v2-mirror.js';
import { V3Car, type V3CarHost } from './v3-car.js';
import { VehicleDirectory } from './vehicle-directory.js';

/** The bridge's own client id level: `ovms/<owner>/<vid>/client/ovms-server/…`. */
export const BRIDGE_CLIENT_ID = 'ovms-server';
/** Everything under the default layout `ovms/<owner>/<vehicle id>/…` (V3.md §2.1). */
export const BRIDGE_FILTER = 'ovms/#';

export interface MqttBridgeDeps {
  hub: Hub;
  port: MqttPort;
  config: ServerConfig;
  log: Logger;
  /** OvmsServer.connectCar: attaches an authenticated car connection. */
  connectCar(vehicle: Vehicle, make: (events: LinkEvents) => Link): Connection;
}

/**
 * Protocol v3 ↔ v2, both ways, over one MQTT port (the embedded broker or an external one):
 * v3 modules publishing under `ovms/<owner>/<vehicle id>/` become car connections of the hub
 * (V3Car), and this node's v2 cars are published under the same layout (V2Mirror). Topics of
 * vehicles that are not registered to that owner are ignored. The mapping itself is the pure code
 * of src/protocol/v3 (docs/v3-mapping.md).
 */
export class MqttBridge {
  private readonly cars = new Map<string, V3Car>();
  private readonly perOwner = new Map<string, number>();
  private readonly directory: VehicleDirectory;
  private readonly mirror: V2Mirror;
  private readonly idTag = `${randomBytes(3).toString('hex')}-`;
  private readonly sizeLog = new LimitedLog();
  private readonly ownerLog = new LimitedLog();
  private unsubscribe: (() => Promise<void>) | undefined;
  private unobserve: (() => void) | undefined;
  private stopped = false;
  /** Settles once the bridge's subscription is active (or failed: the error is logged). */
  ready: Promise<void> = Promise.resolve();

  /** What every V3Car of this bridge shares. */
  private readonly carHost: V3CarHost;

  constructor(private readonly deps: MqttBridgeDeps) {
    this.directory = new VehicleDirectory(deps.hub.store, deps.log);
    const { config, hub, port, log } = deps;
    this.mirror = new V2Mirror({
      port,
      store: hub.store,
      log,
      maxMetrics: config.mqtt.maxMetricsPerVehicle,
      commandTimeoutMs: this.commandTimeoutMs,
      command: (ref, command, params, timeoutMs) => hub.command(ref, command, params, timeoutMs),
    });
    const bridge = this;
    this.carHost = {
      port,
      log,
      clientId: BRIDGE_CLIENT_ID,
      idTag: this.idTag,
      get commandTimeoutMs() {
        return bridge.commandTimeoutMs;
      },
      get maxMetrics() {
        return bridge.deps.config.mqtt.maxMetricsPerVehicle;
      },
      connectCar: (v, make) => deps.connectCar(v, make),
      carElsewhere: async (k) => {
        const local = hub.localCar(k);
        if (local) return local.link.transport !== 'mqtt';
        return (await hub.bus.presence.getCar(k)) !== undefined;
      },
      claim: (k) => hub.bus.claim(`v3:${k}`),
      release: (k) => hub.bus.release(`v3:${k}`),
    };
  }

  /** A module's answer is awaited a little less than the hub keeps the requester (timeouts.command). */
  private get commandTimeoutMs(): number {
    const ttl = this.deps.config.timeouts.command;
    return ttl > 0 ? Math.max(1000, ttl - 1000) : 120_000;
  }

  /** Starts following MQTT; does not wait for the broker (see `ready`). */
  start(): void {
    // Cars this bridge attached are on MQTT already: the mirror shows the others.
    this.unobserve = this.deps.hub.carMessages.add(this.mirror, { bridged: false });
    this.ready = this.deps.port
      .subscribe(BRIDGE_FILTER, (topic, payload) => this.onMessage(topic, payload))
      .then((stop) => {
        this.unsubscribe = stop;
        this.deps.log.info({ filter: BRIDGE_FILTER }, 'protocol v3 bridge following MQTT');
      })
      .catch((err: Error) =>
        this.deps.log.error({ err: err.message }, 'protocol v3 bridge: subscription failed'),
      );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unobserve?.();
    for (const car of this.cars.values()) car.stop();
    this.mirror.stop();
    await this.unsubscribe?.().catch(() => {});
  }

  private onMessage(topic: string, payload: Buffer): void | Promise<void> {
    if (this.stopped) return;
    const split = splitDefaultPrefix(topic);
    if (!split) return;
    if (payload.length > this.deps.config.mqtt.maxPayload) {
      this.sizeLog.event((suppressed) =>
        this.deps.log.warn(
          { topic, bytes: payload.length, limit: this.deps.config.mqtt.maxPayload, suppressed },
          'MQTT message ignored: payload too large (mqtt.max_payload)',
        ),
      );
      return;
    }
    const parsed = parseRelativeTopic(split.rest);
    if (!parsed.ok) return;
    const t = parsed.topic;
    const text = payload.toString('utf8');
    const vehicle = this.directory.lookup(split.user, split.vehicleId);
    // Known vehicles (every message but a vehicle's first) are handled at once.
    const done =
      vehicle instanceof Promise
        ? vehicle.then((v) => (v ? this.handle(v, split.prefix, t, text) : undefined))
        : this.handle(vehicle, split.prefix, t, text);
    if (done === undefined) return;
    // Only a data record holds its acknowledgement back until it is stored.
    if (t.kind === 'notify-data') return done;
    done.catch((err: Error) => this.deps.log.error({ err, topic }, 'protocol v3 bridge: message failed'));
  }

  /** One message of a registered vehicle's topics; a promise only for work that may fail later. */
  private handle(vehicle: Vehicle, prefix: string, t: V3Topic, text: string): Promise<void> | undefined {
    if (this.stopped) return undefined;
    const key = vehicleKey(vehicle);
    if (this.mirror.has(key)) {
      // This node shows the vehicle's v2 car on MQTT: metrics and notifications are its own
      // echoes; other clients' commands and metric requests are for that car.
      if (t.kind === 'client-command' && t.clientId !== BRIDGE_CLIENT_ID)
        return this.mirror.command(key, t.clientId, t.commandId, text);
      if (t.kind === 'client-request-metric' && t.clientId !== BRIDGE_CLIENT_ID)
        this.mirror.requestMetric(key, text);
      return undefined;
    }
    switch (t.kind) {
      case 'metric':
        this.car(vehicle, key, prefix)?.onMetric(t.metric, text);
        return undefined;
      case 'notify':
        this.cars.get(key)?.onNotify(t.type, t.subtype, text);
        return undefined;
      case 'notify-data':
        return this.cars.get(key)?.onData(t.id, t.age, text);
      case 'client-response':
        if (t.clientId === BRIDGE_CLIENT_ID) this.cars.get(key)?.onResponse(t.commandId, text);
        return undefined;
      case 'client-config':
        if (t.clientId === BRIDGE_CLIENT_ID) this.cars.get(key)?.onConfig(t.levels, text);
        return undefined;
      default:
        return undefined;
    }
  }

  /** The vehicle's v3 car, made on its first metric (at most `mqtt.max_vehicles_per_owner` per owner). */
  private car(vehicle: Vehicle, key: string, prefix: string): V3Car | undefined {
    const existing = this.cars.get(key);
    if (existing) return existing;
    const owner = vehicle.ownerName;
    const count = this.perOwner.get(owner) ?? 0;
    const limit = this.deps.config.mqtt.maxVehiclesPerOwner;
    if (count >= limit) {
      this.ownerLog.event((suppressed) =>
        this.deps.log.warn(
          { owner, vehicle: vehicle.vehicleId, limit, suppressed },
          'v3 vehicle ignored: the owner has too many (mqtt.max_vehicles_per_owner)',
        ),
      );
      return undefined;
    }
    this.perOwner.set(owner, count + 1);
    const car = new V3Car(this.carHost, vehicle, key, prefix);
    this.cars.set(key, car);
    return car;
  }
}
