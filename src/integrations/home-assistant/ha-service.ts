import type { Logger } from 'pino';
import { isTopicSafeName } from '../../auth/account-names.js';
import type { ServerConfig } from '../../config/config.js';
import { askCar, type CarAnswer } from '../../http/car-command.js';
import type { MqttPort } from '../../mqtt/mqtt-port.js';
import { firmwareRecord } from '../../protocol/messages/index.js';
import { mpDecodeForDisplay } from '../../protocol/mp-encoding.js';
import type { ObservedCarMessage } from '../../server/car-message-observers.js';
import { type Hub, vehicleKey } from '../../server/hub.js';
import type { Vehicle } from '../../store/store.js';
import { haCommand, MAX_COMMAND_PAYLOAD } from './commands.js';
import { type DiscoveryDocument, discoveryDocuments, ORIGIN_NAME, type VehicleInfo } from './discovery.js';
import { positionPayload } from './position.js';
import {
  COMMAND_FILTER,
  type CommandAction,
  discoveryFilter,
  discoveryNodeOf,
  discoveryPrefixFor,
  HA_LEVEL,
  LATITUDE_FILTER,
  LONGITUDE_FILTER,
  lastSeenTopic,
  parseCommandTopic,
  parseCoordinateTopic,
  positionTopic,
  resultTopic,
} from './topics.js';

/** `ha/last_seen` is renewed at most this often per car (the data age is shown to the minute). */
export const LAST_SEEN_INTERVAL_MS = 60_000;
/**
 * After a command from Home Assistant the car counts as watched by one app this long, so the
 * module reports at its "connected" rate and the new state reaches Home Assistant soon.
 */
export const APP_HOLD_MS = 120_000;
/** The virtual app's session id (Hub.addVirtualApp). */
export const HA_APP_ID = 'home-assistant';
/** With discovery off, old documents are looked for this long after the start. */
export const SWEEP_WINDOW_MS = 10_000;

export interface HomeAssistantDeps {
  hub: Hub;
  port: MqttPort;
  config: ServerConfig;
  log: Logger;
  serverVersion: string;
}

interface Published {
  readonly vehicle: Vehicle;
  readonly topics: ReadonlySet<string>;
  readonly digest: string;
}

interface Coordinates {
  latitude?: number;
  longitude?: number;
  sent?: string;
}

/**
 * Home Assistant MQTT discovery (docs/home-assistant.md). With `ha.discovery` on, every vehicle (of
 * the owners in `ha.owners`, or all) gets retained discovery documents whose state topics are the
 * bridge's metric topics, plus three topics of its own: the position for the device tracker, the
 * time of the car's latest message, and the outcome of the latest command. Documents are published
 * at start, when a vehicle appears or its `F` message changes the device card, and removed when
 * the vehicle is deleted (seen within `ha.refresh_s`) or discovery is turned off (at the next
 * start). Commands Home Assistant publishes on `ovms/<owner>/<vehicle id>/ha/command/<action>` are
 * sent as v2 commands through the same path as the HTTP control routes (`askCar`: routing to the
 * car's node, `http.command_timeout`, the pending-command limits); the reply is published on
 * `ha/result`.
 */
export class HomeAssistantDiscovery {
  private readonly published = new Map<string, Published>();
  /** `owner/vehicle id` → vehicle key, for topics. */
  private readonly byTopicPath = new Map<string, string>();
  private readonly coordinates = new Map<string, Coordinates>();
  private readonly lastSeen = new Map<string, number>();
  /** Keys of vehicles looked up since the last refresh because they sent a message. */
  private readonly lookedUp = new Set<string>();
  /** Every discovery topic the server wants retained now. */
  private readonly wanted = new Set<string>();
  /** Documents of ours seen before the first refresh ended: judged once it has. */
  private pendingSweep: [string, Buffer][] | undefined = [];
  private readonly stops: (() => Promise<void> | void)[] = [];
  /** Vehicles held as watched after a command: key → [vehicle, release timer]. */
  private readonly held = new Map<string, [Vehicle, NodeJS.Timeout]>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;
  /** Settles once the subscriptions and the first publication are done (errors are logged). */
  ready: Promise<void> = Promise.resolve();

  constructor(private readonly deps: HomeAssistantDeps) {}

  private get ha(): ServerConfig['ha'] {
    return this.deps.config.ha;
  }

  start(): void {
    if (!this.ha.discovery) {
      this.ready = this.sweepOnly().catch((err: Error) =>
        this.deps.log.error(
          { err: err.message },
          'Home Assistant: looking for old discovery documents failed',
        ),
      );
      return;
    }
    this.ready = this.startOn().catch((err: Error) =>
      this.deps.log.error({ err: err.message }, 'Home Assistant discovery: start failed'),
    );
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.stops.map(async (s) => s()));
    for (const [key, [vehicle, timer]] of [...this.held]) {
      clearTimeout(timer);
      this.held.delete(key);
      await this.deps.hub.removeVirtualApp(vehicle, HA_APP_ID).catch(() => {});
    }
  }

  /** The car counts as watched by one app for APP_HOLD_MS after the latest command. */
  private async holdApp(vehicle: Vehicle): Promise<void> {
    const key = vehicleKey(vehicle);
    const existing = this.held.get(key);
    if (existing) {
      existing[1].refresh();
      return;
    }
    const timer = setTimeout(() => {
      this.held.delete(key);
      this.deps.hub
        .removeVirtualApp(vehicle, HA_APP_ID)
        .catch((err: Error) => this.deps.log.error({ err: err.message }, 'Home Assistant app not released'));
    }, APP_HOLD_MS);
    timer.unref();
    this.held.set(key, [vehicle, timer]);
    await this.deps.hub.addVirtualApp(vehicle, HA_APP_ID);
  }

  private async startOn(): Promise<void> {
    const { port, hub, log } = this.deps;
    this.stops.push(hub.carMessages.add((m) => this.onCarMessage(m)));
    for (const [filter, handler] of [
      [COMMAND_FILTER, (t: string, p: Buffer) => this.onCommand(t, p)],
      [LATITUDE_FILTER, (t: string, p: Buffer) => this.onCoordinate(t, p)],
      [LONGITUDE_FILTER, (t: string, p: Buffer) => this.onCoordinate(t, p)],
      [discoveryFilter(this.ha.discoveryPrefix), (t: string, p: Buffer) => this.onDocument(t, p)],
    ] as const) {
      const stop = await port.subscribe(filter, handler);
      if (this.stopped) return void (await stop());
      this.stops.push(stop);
    }
    await this.refresh();
    if (this.stopped) return;
    const pending = this.pendingSweep ?? [];
    this.pendingSweep = undefined;
    for (const [topic, payload] of pending) this.onDocument(topic, payload);
    this.timer = setInterval(() => void this.refresh(), this.ha.refreshMs);
    this.timer.unref();
    log.info(
      { vehicles: this.published.size, prefix: this.ha.discoveryPrefix },
      'Home Assistant discovery published',
    );
  }

  /** Discovery off: documents of ours still retained (from when it was on) are removed. */
  private async sweepOnly(): Promise<void> {
    this.pendingSweep = undefined;
    const stop = await this.deps.port.subscribe(discoveryFilter(this.ha.discoveryPrefix), (t, p) =>
      this.onDocument(t, p),
    );
    this.stops.push(stop);
    const timer = setTimeout(() => void stop(), SWEEP_WINDOW_MS);
    timer.unref();
    this.stops.push(() => clearTimeout(timer));
  }

  /** Lists the vehicles: new ones get their documents, deleted ones lose them. Never two at once. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.refreshNow()
      .catch((err: Error) =>
        this.deps.log.error({ err: err.message }, 'Home Assistant discovery: refresh failed'),
      )
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    this.lookedUp.clear();
    const vehicles = (await this.deps.hub.store.listVehicles()).filter((v) => this.covers(v));
    const keys = new Set(vehicles.map((v) => vehicleKey(v)));
    for (const [key, entry] of [...this.published]) if (!keys.has(key)) await this.unpublish(key, entry);
    for (const vehicle of vehicles) {
      if (this.stopped) return;
      // Published ones change only with their car's F (onCarMessage): no read per vehicle and refresh.
      if (!this.published.has(vehicleKey(vehicle))) await this.publishVehicle(vehicle);
    }
  }

  /** Whether the vehicle gets documents: its owner is covered and both names can be topic levels. */
  private covers(vehicle: Vehicle): boolean {
    if (!isTopicSafeName(vehicle.ownerName) || !isTopicSafeName(vehicle.vehicleId)) return false;
    return this.ha.owners.length === 0 || this.ha.owners.includes(vehicle.ownerName);
  }

  /** Publishes the vehicle's documents when they differ from what was published. */
  private async publishVehicle(vehicle: Vehicle): Promise<void> {
    const key = vehicleKey(vehicle);
    const docs = discoveryDocuments(
      await this.vehicleInfo(vehicle),
      discoveryPrefixFor(this.ha.discoveryPrefix, vehicle.ownerName),
      this.deps.serverVersion,
    );
    const digest = JSON.stringify(docs);
    const before = this.published.get(key);
    if (before?.digest === digest) return;
    const topics = new Set(docs.map((d) => d.topic));
    this.published.set(key, { vehicle, topics, digest });
    this.byTopicPath.set(`${vehicle.ownerName}/${vehicle.vehicleId}`, key);
    for (const t of topics) this.wanted.add(t);
    for (const t of before?.topics ?? []) if (!topics.has(t)) this.clear(t);
    for (const doc of docs) await this.publishDocument(doc);
  }

  private async publishDocument(doc: DiscoveryDocument): Promise<void> {
    await this.deps.port.publish(doc.topic, JSON.stringify(doc.payload), { retain: true, qos: 1 });
  }

  /** Model, firmware and VIN from the stored `F` message (v2 cars and v3 modules alike). */
  private async vehicleInfo(vehicle: Vehicle): Promise<VehicleInfo> {
    const info = { owner: vehicle.ownerName, vehicleId: vehicle.vehicleId, name: vehicle.name };
    const stored = (await this.deps.hub.store.getMessages(vehicle)).find(
      (m) => m.code === 'F' && !m.paranoid,
    );
    if (!stored) return info;
    const { fields } = firmwareRecord.decode(stored.payload.toString('utf8'));
    return {
      ...info,
      vehicleType: fields.vehicletype || undefined,
      firmware: mpDecodeForDisplay(fields.version ?? '') || undefined,
      vin: fields.vin || undefined,
    };
  }

  private async unpublish(key: string, entry: Published): Promise<void> {
    this.published.delete(key);
    const { ownerName, vehicleId } = entry.vehicle;
    this.byTopicPath.delete(`${ownerName}/${vehicleId}`);
    this.coordinates.delete(`${ownerName}/${vehicleId}`);
    this.lastSeen.delete(key);
    for (const t of entry.topics) {
      this.wanted.delete(t);
      this.clear(t);
    }
    for (const t of [
      positionTopic(ownerName, vehicleId),
      lastSeenTopic(ownerName, vehicleId),
      resultTopic(ownerName, vehicleId),
    ])
      this.clear(t);
    this.deps.log.info({ vehicle: vehicleId }, 'Home Assistant discovery documents removed');
  }

  /** An empty retained message removes the retained one (and, for a document, the entity). */
  private clear(topic: string): void {
    this.deps.port.publish(topic, '', { retain: true, qos: 1 }).catch(() => {});
  }

  /**
   * A retained discovery document: one of ours (its `origin`) that the server does not want now
   * (a vehicle deleted while the server was down, or discovery off) is removed, with the
   * integration's own retained topics it names.
   */
  private onDocument(topic: string, payload: Buffer): void {
    if (this.stopped || payload.length === 0 || this.wanted.has(topic)) return;
    if (!discoveryNodeOf(this.ha.discoveryPrefix, topic)?.startsWith('ovms_')) return;
    if (this.pendingSweep) {
      if (this.pendingSweep.length < 100_000) this.pendingSweep.push([topic, payload]);
      return;
    }
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    if ((doc.origin as { name?: unknown } | undefined)?.name !== ORIGIN_NAME) return;
    this.clear(topic);
    for (const field of ['state_topic', 'json_attributes_topic']) {
      const t = doc[field];
      if (typeof t === 'string' && t.startsWith('ovms/') && t.split('/')[3] === HA_LEVEL) this.clear(t);
    }
  }

  private onCarMessage(m: ObservedCarMessage): void {
    const key = vehicleKey(m.ref);
    const entry = this.published.get(key);
    if (!entry) {
      // A vehicle added since the last refresh: looked up once per refresh period.
      if (this.lookedUp.has(key) || this.stopped) return;
      this.lookedUp.add(key);
      void this.deps.hub.store
        .getVehicle(m.ref)
        .then((v) => (v && this.covers(v) && !this.stopped ? this.publishVehicle(v) : undefined))
        .catch((err: Error) => this.deps.log.error({ err: err.message }, 'Home Assistant discovery failed'));
      return;
    }
    const now = m.time.getTime();
    if (now - (this.lastSeen.get(key) ?? 0) >= LAST_SEEN_INTERVAL_MS) {
      this.lastSeen.set(key, now);
      this.deps.port
        .publish(lastSeenTopic(entry.vehicle.ownerName, entry.vehicle.vehicleId), m.time.toISOString(), {
          retain: true,
        })
        .catch(() => {});
    }
    // The device card (type, firmware, VIN) follows the car's F; unchanged documents are not sent.
    if (m.code === 'F')
      void this.publishVehicle(entry.vehicle).catch((err: Error) =>
        this.deps.log.error({ err: err.message }, 'Home Assistant discovery failed'),
      );
  }

  private onCoordinate(topic: string, payload: Buffer): void {
    const parsed = parseCoordinateTopic(topic);
    if (!parsed || this.stopped) return;
    const path = `${parsed.owner}/${parsed.vehicleId}`;
    if (!this.byTopicPath.has(path)) return;
    const value = Number(payload.toString('utf8'));
    if (payload.length === 0 || payload.length > 32 || !Number.isFinite(value)) return;
    const c = this.coordinates.get(path) ?? {};
    c[parsed.axis] = value;
    this.coordinates.set(path, c);
    const json = positionPayload(c.latitude, c.longitude);
    if (json === undefined || json === c.sent) return;
    c.sent = json;
    this.deps.port
      .publish(positionTopic(parsed.owner, parsed.vehicleId), json, { retain: true })
      .catch(() => {});
  }

  private onCommand(topic: string, payload: Buffer): void {
    const parsed = parseCommandTopic(topic);
    if (!parsed || this.stopped) return;
    const key = this.byTopicPath.get(`${parsed.owner}/${parsed.vehicleId}`);
    const entry = key === undefined ? undefined : this.published.get(key);
    if (!entry) return;
    void this.runCommand(entry.vehicle, parsed.action, payload).catch((err: Error) =>
      this.deps.log.error({ err: err.message, vehicle: parsed.vehicleId }, 'Home Assistant command failed'),
    );
  }

  private async runCommand(vehicle: Vehicle, action: CommandAction, payload: Buffer): Promise<void> {
    const { hub, log } = this.deps;
    const key = vehicleKey(vehicle);
    // With several nodes every node receives the command: the one holding the car sends it (and
    // when no node holds it, each answers "not connected", which sends nothing to any car).
    if (!hub.localCar(key) && hub.bus.spansProcesses && (await hub.bus.presence.getCar(key))) return;
    const command =
      payload.length > MAX_COMMAND_PAYLOAD
        ? ({ ok: false, error: 'command too long' } as const)
        : haCommand(action, payload.toString('utf8'));
    // Never the payload: a lock command holds the PIN.
    log.info({ vehicle: vehicle.vehicleId, action }, 'Home Assistant command');
    if (!command.ok) {
      await this.publishResult(vehicle, action, undefined, false, command.error);
      return;
    }
    if (!this.stopped)
      await this.holdApp(vehicle).catch((err: Error) =>
        log.error({ err: err.message }, 'Home Assistant app not counted'),
      );
    const answer = await askCar(this.deps, vehicle, command.code, command.params);
    const { ok, text } = outcome(answer);
    await this.publishResult(vehicle, action, command.code, ok, text);
  }

  private async publishResult(
    vehicle: Vehicle,
    action: CommandAction,
    command: number | undefined,
    ok: boolean,
    text: string,
  ): Promise<void> {
    const body = {
      action,
      command: command ?? null,
      ok,
      text: text.slice(0, 250),
      time: new Date().toISOString(),
    };
    await this.deps.port.publish(resultTopic(vehicle.ownerName, vehicle.vehicleId), JSON.stringify(body), {
      retain: true,
      qos: 1,
    });
  }
}

/** The car's answer in words, as the HTTP control routes would put it. */
function outcome(answer: CarAnswer): { ok: boolean; text: string } {
  if (!answer.ok) return { ok: false, text: answer.text };
  const last = answer.lines.at(-1);
  if (!last) return { ok: false, text: 'Empty reply from the car' };
  const text = last.text.replace(/[\r\n]+/g, ' ').trim();
  if (last.result === 0) return { ok: true, text: text || 'done' };
  if (last.result === 1) return { ok: false, text: text || 'Command failed' };
  return { ok: false, text: 'Command not supported by the vehicle' };
}
