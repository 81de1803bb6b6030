import type { Logger } from 'pino';
import type { Bus, BusLine, CarAddress, ConnAddress, Unsubscribe, VehicleEvent } from '../bus/bus.js';
import type { ServerConfig } from '../config/config.js';
import type { Notifier } from '../notify/notifier.js';
import { decodeCommandResponse, isFinalResponseLine } from '../protocol/messages/command.js';
import type { Store, VehicleRef } from '../store/store.js';
import { CarMessageObservers, observedCar } from './car-message-observers.js';
import { commandRefused } from './command-pacing.js';
import { BUSY_TEXT, busyReply, CommandRouter, GONE, type Requester } from './command-router.js';
import type { Connection } from './connection.js';
import { GroupRegistry } from './groups.js';
import { HistoryLimits } from './history-limits.js';
import { lateRelayWarning, RelayOrder } from './relay-order.js';
import { ServerCounters } from './server-counters.js';
import { ServerRequests } from './server-requests.js';
import { UtilisationCounter } from './utilisation.js';

export interface HubDeps {
  config: ServerConfig;
  store: Store;
  bus: Bus;
  notifier: Notifier;
  log: Logger;
  /** Sent to apps as `f<version>` after an F. */
  version: string;
}

export function vehicleKey(ref: VehicleRef): string {
  return `${ref.ownerId}/${ref.vehicleId}`;
}

const line = (code: string, payload: string | Buffer = ''): BusLine => ({
  code,
  payload: typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload,
});

/**
 * The routing core: which connections belong to which vehicle, and what reaches whom. Deliveries
 * between connections always go through the bus, so the same code serves one node or many. Message
 * handling per code is in message-handlers.ts; this class keeps the registries and the login and
 * logout sequences of WIRE.md §2.5.
 */
export class Hub {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly bus: Bus;
  readonly notifier: Notifier;
  readonly log: Logger;
  readonly version: string;
  readonly groups: GroupRegistry;
  readonly utilisation: UtilisationCounter;
  /** Per-vehicle quota and write rate of the history cars write. */
  readonly historyLimits: HistoryLimits;
  /** Observers of this node's cars and their messages (integrations such as ABRP, the v3 bridge). */
  readonly carMessages: CarMessageObservers;
  /** What this node has done, for the metrics (server-counters.ts). */
  readonly counters = new ServerCounters();

  /** Every local connection by id. */
  readonly connections = new Map<string, Connection>();
  private readonly cars = new Map<string, Connection>();
  private readonly apps = new Map<string, Set<Connection>>();
  private readonly batches = new Map<string, Set<Connection>>();
  private readonly virtualApps = new Map<string, Set<string>>();
  private readonly routers = new Map<Connection, CommandRouter>();
  /** Where each subscribed vehicle's car is, as learnt from car-up/car-down events. */
  private readonly carSeen = new Map<string, ConnAddress>();
  private readonly subscriptions = new Map<string, { refs: number; ready: Promise<Unsubscribe> }>();
  private unsubscribeGroups: Unsubscribe | undefined;
  /** Observers of vehicles' relayed messages (HTTP live streams), by vehicle key. */
  private readonly watchers = new Map<string, Set<(line: { code: string; payload: Buffer }) => void>>();
  /** Commands sent by the server itself (HTTP API), waiting for the car's reply lines. */
  private readonly requests = new ServerRequests(this);
  /** Each car's relays in arrival order, after the writes they report when the bus spans nodes. */
  private readonly carRelays: RelayOrder;

  constructor(deps: HubDeps) {
    this.config = deps.config;
    this.store = deps.store;
    this.bus = deps.bus;
    this.notifier = deps.notifier;
    this.log = deps.log;
    this.version = deps.version;
    this.groups = new GroupRegistry(
      deps.bus,
      deps.config.limits.maxGroupsPerConnection,
      deps.config.limits.maxGroupNameLength,
    );
    this.utilisation = new UtilisationCounter(deps.store, deps.log);
    this.historyLimits = new HistoryLimits(deps.store, deps.config.history, deps.log, deps.notifier);
    this.carMessages = new CarMessageObservers(deps.log);
    // A single node's reads flush its own queued writes: its relays never wait (relay-order.ts).
    const waitMs = deps.bus.spansProcesses ? deps.config.bus.relayCommitWaitMs : 0;
    this.carRelays = new RelayOrder(waitMs, lateRelayWarning(deps.log, waitMs));
  }

  async start(): Promise<void> {
    this.unsubscribeGroups = await this.bus.subscribeGroups((e) => this.groups.onEvent(e));
  }

  async stop(): Promise<void> {
    await this.unsubscribeGroups?.();
    await this.utilisation.flush();
  }

  address(conn: Connection): ConnAddress {
    return { node: this.bus.nodeId, conn: conn.id };
  }

  /** A car's presence entry: its address, marked `mqtt` when it is a v3 module. */
  private carAddress(conn: Connection): CarAddress {
    const address: CarAddress = this.address(conn);
    if (conn.link.transport === 'mqtt') address.transport = 'mqtt';
    return address;
  }

  /** How the vehicle's car is connected, on any node: `v2`, `v3` (MQTT), or `''` when it is not. */
  async carProtocol(key: string): Promise<'v2' | 'v3' | ''> {
    const car = await this.bus.presence.getCar(key);
    if (!car) return '';
    return car.transport === 'mqtt' ? 'v3' : 'v2';
  }

  // ---- counts -----------------------------------------------------------------------------------

  stats(): { cars: number; apps: number; batch: number; connections: number } {
    let apps = 0;
    let batch = 0;
    for (const s of this.apps.values()) apps += s.size;
    for (const s of this.batches.values()) batch += s.size;
    return { cars: this.cars.size, apps, batch, connections: this.connections.size };
  }

  localCar(key: string): Connection | undefined {
    return this.cars.get(key);
  }

  /** Batch (B) clients of the vehicle on this node, for the HTTP API's `v_btcs_connected`. */
  localBatchCount(key: string): number {
    return this.batches.get(key)?.size ?? 0;
  }

  /** Whether the vehicle's car is connected (to any node). */
  async carConnected(key: string): Promise<boolean> {
    return (await this.bus.presence.getCar(key)) !== undefined;
  }

  private localAppCount(key: string): number {
    return (this.apps.get(key)?.size ?? 0) + (this.virtualApps.get(key)?.size ?? 0);
  }

  /** Publishes this node's app count and tells the car's node to send the car Z<n>. */
  private async appsChanged(key: string): Promise<void> {
    await this.bus.presence.setAppCount(key, this.localAppCount(key));
    await this.bus.publish(key, { type: 'apps-changed' });
  }

  // ---- bus subscriptions --------------------------------------------------------------------------

  /** Keeps this node subscribed to a vehicle's events while something here needs them. */
  async retain(key: string): Promise<void> {
    let sub = this.subscriptions.get(key);
    if (!sub) {
      const ready = this.bus.subscribe(key, (event) => this.onVehicleEvent(key, event));
      sub = { refs: 0, ready };
      this.subscriptions.set(key, sub);
      await ready;
      const car = await this.bus.presence.getCar(key);
      if (car && !this.carSeen.has(key)) this.carSeen.set(key, car);
    }
    sub.refs++;
    await sub.ready;
  }

  async release(key: string): Promise<void> {
    const sub = this.subscriptions.get(key);
    if (!sub) return;
    sub.refs--;
    if (sub.refs > 0) return;
    this.subscriptions.delete(key);
    this.carSeen.delete(key);
    await (await sub.ready)();
  }

  private forEachClient(key: string, fn: (conn: Connection) => void): void {
    for (const conn of this.apps.get(key) ?? []) fn(conn);
    for (const conn of this.batches.get(key) ?? []) fn(conn);
  }

  /** Tells the HTTP streams watching the vehicle what its apps are told (here the car's Z 1/0). */
  private toWatchers(key: string, code: string, payload: string): void {
    for (const watcher of this.watchers.get(key) ?? []) watcher({ code, payload: Buffer.from(payload) });
  }

  private onVehicleEvent(key: string, event: VehicleEvent): void {
    switch (event.type) {
      case 'to-clients': {
        let recipients = 0;
        this.forEachClient(key, (conn) => {
          recipients++;
          for (const l of event.lines) conn.deliver(l.code, l.payload);
        });
        if (recipients > 0) this.counters.relayedLines(event.lines, recipients);
        for (const watcher of this.watchers.get(key) ?? []) for (const l of event.lines) watcher(l);
        return;
      }
      case 'to-car': {
        const car = this.cars.get(key);
        if (!car) return;
        const router = this.routers.get(car);
        if (event.requester && router && !router.push(event.requester)) {
          this.refuseForCar(car, key, event.requester);
          return;
        }
        car.send(event.line.code, event.line.payload);
        return;
      }
      case 'to-conn':
        if (event.target.node === this.bus.nodeId) {
          if (!this.requests.deliver(event.target.conn, event.line.code, event.line.payload)) {
            const conn = this.connections.get(event.target.conn);
            if (!conn) return;
            settleReply(conn, event.line, this.config.limits);
            conn.deliver(event.line.code, event.line.payload);
          }
        }
        return;
      case 'requests-cancelled': {
        const car = this.cars.get(key);
        if (car) this.routers.get(car)?.cancel(event.requester);
        return;
      }
      case 'car-up': {
        const car = this.cars.get(key);
        const isThisOne = car && event.car.node === this.bus.nodeId && event.car.conn === car.id;
        if (car && !isThisOne) car.close('duplicate car login');
        this.carSeen.set(key, event.car);
        this.forEachClient(key, (conn) => conn.deliver('Z', '1'));
        this.toWatchers(key, 'Z', '1');
        return;
      }
      case 'car-down': {
        const seen = this.carSeen.get(key);
        if (seen && (seen.node !== event.car.node || seen.conn !== event.car.conn)) return;
        this.carSeen.delete(key);
        this.forEachClient(key, (conn) => conn.deliver('Z', '0'));
        this.toWatchers(key, 'Z', '0');
        return;
      }
      case 'apps-changed': {
        const car = this.cars.get(key);
        if (!car) return;
        void this.bus.presence.getAppCount(key).then((n) => car.send('Z', String(n)));
        return;
      }
    }
  }

  // ---- login and logout -------------------------------------------------------------------------

  /** Registers a logged-in connection and sends what WIRE.md §2.5 lists, in that order. */
  async attach(conn: Connection): Promise<void> {
    const vehicle = conn.vehicle!;
    const key = vehicleKey(vehicle);
    conn.vehicleKey = key;
    this.connections.set(conn.id, conn);
    if (conn.clientType === 'C') await this.attachCar(conn, key);
    else if (conn.clientType === 'A' || conn.clientType === 'B') await this.attachClient(conn, key);
    else {
      // Server-to-server links are obsolete (WIRE.md §3 R/r): accepted, and nothing more.
      conn.state = 'ready';
    }
  }

  private async attachCar(conn: Connection, key: string): Promise<void> {
    await this.retain(key);
    const older = this.cars.get(key);
    if (older && older !== conn) older.close('duplicate car login');
    this.cars.set(key, conn);
    this.routers.set(
      conn,
      new CommandRouter(
        { max: this.config.limits.maxPendingCommandsPerCar, ttlMs: this.config.timeouts.command },
        Date.now,
        this.counters.commands,
      ),
    );
    conn.state = 'ready';
    const address = this.address(conn);
    await this.bus.presence.setCar(key, this.carAddress(conn));
    await this.bus.publish(key, { type: 'car-up', car: address });
    conn.send('Z', String(await this.bus.presence.getAppCount(key)));
    this.carMessages.carUp(observedCar(conn));
  }

  private async attachClient(conn: Connection, key: string): Promise<void> {
    conn.hold();
    await this.retain(key);
    const set = conn.clientType === 'A' ? this.apps : this.batches;
    let members = set.get(key);
    if (!members) {
      members = new Set();
      set.set(key, members);
    }
    members.add(conn);
    conn.state = 'ready';
    if (conn.clientType === 'A') await this.appsChanged(key);
    conn.send('Z', (await this.carConnected(key)) ? '1' : '0');
    await this.replay(conn);
    conn.release();
  }

  /** Stored messages: F, S, then the rest; ET once before the first paranoid one; then T<age>. */
  private async replay(conn: Connection): Promise<void> {
    const ref = conn.vehicle!;
    const [messages, vehicle] = await Promise.all([this.store.getMessages(ref), this.store.getVehicle(ref)]);
    let tokenSent = false;
    for (const m of messages) {
      if (m.paranoid) {
        if (!tokenSent && vehicle?.ptoken) {
          conn.send('E', `T${vehicle.ptoken}`);
          tokenSent = true;
        }
        conn.send('E', Buffer.concat([Buffer.from(`M${m.code}`, 'latin1'), m.payload]));
      } else {
        conn.send(m.code, m.payload);
      }
    }
    // Always an integer (Android rejects an empty T). With nothing stored yet, the age of the data
    // is the time since the vehicle was registered.
    const since = vehicle?.lastUpdate ?? vehicle?.createdAt;
    if (since) conn.send('T', String(Math.max(0, Math.floor((Date.now() - since.getTime()) / 1000))));
  }

  /** Unregisters a closed connection and tells the others (WIRE.md §2.6). */
  async detach(conn: Connection): Promise<void> {
    if (!this.connections.delete(conn.id) || !conn.vehicle) return;
    const key = conn.vehicleKey;
    if (conn.clientType === 'C') {
      const router = this.routers.get(conn);
      this.routers.delete(conn);
      if (this.cars.get(key) === conn) {
        this.cars.delete(key);
        this.carMessages.carDown(observedCar(conn));
        // Apps learn the car has gone after its last messages, not before.
        await this.carRelays.drained(conn);
        const address = this.address(conn);
        await this.bus.presence.clearCar(key, this.carAddress(conn));
        await this.bus.publish(key, { type: 'car-down', car: address });
      }
      // Requesters still waiting would otherwise wait for ever: tell them the car went away.
      for (const r of router?.drain() ?? []) {
        if (r.command === undefined) continue;
        await this.bus.publish(key, {
          type: 'to-conn',
          target: r,
          line: line('c', `${r.command},1,vehicle disconnected`),
        });
      }
    } else if (conn.clientType === 'A' || conn.clientType === 'B') {
      const set = conn.clientType === 'A' ? this.apps : this.batches;
      const members = set.get(key);
      members?.delete(conn);
      if (members?.size === 0) set.delete(key);
      if (conn.clientType === 'A') await this.appsChanged(key);
      // The car's node stops counting this client's commands (their replies will be dropped).
      if (conn.pendingCommands?.length) await this.cancelRequests(key, this.address(conn));
    }
    await this.groups.leave(conn);
    if (conn.clientType !== 'S') await this.release(key);
  }

  // ---- HTTP virtual apps ---------------------------------------------------------------------------

  /** An HTTP API session "connects" to a vehicle and counts as an app. Returns whether it was the first peer. */
  async addVirtualApp(ref: VehicleRef, sessionId: string): Promise<{ firstPeer: boolean }> {
    const key = vehicleKey(ref);
    const firstPeer = (await this.bus.presence.getAppCount(key)) === 0;
    let sessions = this.virtualApps.get(key);
    if (!sessions) {
      sessions = new Set();
      this.virtualApps.set(key, sessions);
    }
    if (sessions.has(sessionId)) return { firstPeer: false };
    sessions.add(sessionId);
    await this.retain(key);
    await this.appsChanged(key);
    return { firstPeer };
  }

  async removeVirtualApp(ref: VehicleRef, sessionId: string): Promise<boolean> {
    const key = vehicleKey(ref);
    const sessions = this.virtualApps.get(key);
    if (!sessions?.delete(sessionId)) return false;
    if (sessions.size === 0) this.virtualApps.delete(key);
    await this.appsChanged(key);
    await this.release(key);
    return true;
  }

  /**
   * Calls `listener` with every message relayed to the vehicle's clients (car messages, T0, f, P),
   * and `Z` 1/0 when the car connects or disconnects (the apps' peer-count changes are not included). A watcher does not count as an app. Returns the unsubscribe.
   */
  async watch(
    ref: VehicleRef,
    listener: (line: { code: string; payload: Buffer }) => void,
  ): Promise<() => Promise<void>> {
    const key = vehicleKey(ref);
    await this.retain(key);
    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(listener);
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      set.delete(listener);
      if (set.size === 0 && this.watchers.get(key) === set) this.watchers.delete(key);
      await this.release(key);
    };
  }

  // ---- commands on behalf of the HTTP API -----------------------------------------------------------

  /** See ServerRequests.command: a command sent by the server itself, resolving with the reply lines. */
  command(ref: VehicleRef, command: number, params: readonly string[], timeoutMs: number): Promise<Buffer[]> {
    return this.requests.command(ref, command, params, timeoutMs);
  }

  /** Tells the car's node that a requester is gone (closed, or a server command timed out). */
  cancelRequests(key: string, requester: ConnAddress): Promise<void> {
    return this.bus.publish(key, { type: 'requests-cancelled', requester });
  }

  /** Over the car's cap: the requester is answered at once and the command never reaches the car. */
  private refuseForCar(car: Connection, key: string, requester: Requester): void {
    if (!car.refusedCommands++) {
      car.log.warn(
        { client: car.label, limit: this.config.limits.maxPendingCommandsPerCar },
        "command refused: too many commands awaiting this car's reply (limits.max_pending_commands_per_car)",
      );
    }
    if (requester.command === undefined) return; // paranoid: its number, so its reply, is unknown
    void this.bus
      .publish(key, { type: 'to-conn', target: requester, line: line('c', busyReply(requester.command)) })
      .catch((err: Error) => this.log.error({ err }, 'busy reply failed'));
  }

  // ---- deliveries used by the message handlers ---------------------------------------------------

  /**
   * Relays messages to every app and batch client of the vehicle, on every node. From a car, they
   * leave after the car's earlier relays and, when the bus spans nodes, after `committed` (the
   * store writes they report; relay-order.ts says why).
   */
  toClients(conn: Connection, lines: BusLine[], committed?: Promise<unknown>): Promise<void> {
    const publish = () => this.bus.publish(conn.vehicleKey, { type: 'to-clients', lines });
    return conn.isCar ? this.carRelays.publish(conn, publish, committed) : publish();
  }

  /** Sends a message to the car; with `queue`, the sender waits for the `c` reply (a command). */
  toCar(conn: Connection, code: string, payload: Buffer, queue?: { command?: number }): Promise<void> {
    const requester = queue ? { ...this.address(conn), command: queue.command } : undefined;
    return this.bus.publish(conn.vehicleKey, { type: 'to-car', line: line(code, payload), requester });
  }

  /** Routes a car's `c` reply: to the queued requester, or to everyone when nobody waits. */
  routeReply(
    car: Connection,
    code: string,
    payload: Buffer,
    command: number | undefined,
    final: boolean,
  ): Promise<void> {
    const requester = this.routers.get(car)?.route(command, final);
    if (requester === GONE) return Promise.resolve();
    if (!requester) return this.toClients(car, [line(code, payload)]);
    return this.carRelays.publish(car, () =>
      this.bus.publish(car.vehicleKey, { type: 'to-conn', target: requester, line: line(code, payload) }),
    );
  }
}

/**
 * A reply reached its requester: the requester's own count of pending commands goes down. A busy
 * reply from the car's node (the car's cap) is a refused command like one refused here.
 */
function settleReply(conn: Connection, reply: BusLine, limits: ServerConfig['limits']): void {
  const pending = conn.pendingCommands;
  if (!pending?.length) return;
  if (reply.code === 'E') {
    pending.route(undefined, true);
  } else if (reply.code === 'c') {
    const decoded = decodeCommandResponse(reply.payload.toString('latin1'));
    if (decoded.kind !== 'command-response') {
      pending.route(undefined, true);
      return;
    }
    pending.route(decoded.command, isFinalResponseLine(decoded));
    if (decoded.result === 1 && decoded.text === BUSY_TEXT) commandRefused(conn, limits);
  }
}

export { line as busLine };
