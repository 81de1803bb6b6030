import type { Bus, ConnAddress, GroupEvent, Presence, Unsubscribe, VehicleEvent } from './bus.js';

/**
 * What in-process nodes share: subscriptions and presence. One network with one node is the
 * default single-process server; several nodes on one network let tests run a multi-node hub in
 * one process.
 */
export class LocalNetwork {
  readonly vehicles = new Map<string, Set<(e: VehicleEvent) => void>>();
  readonly groupHandlers = new Set<(e: GroupEvent) => void>();
  readonly cars = new Map<string, ConnAddress>();
  /** vehicle key → node → count. */
  readonly appCounts = new Map<string, Map<string, number>>();
  /** Claim name → the node holding it. */
  readonly claims = new Map<string, string>();
}

/** The in-process bus: synchronous delivery in publish order. */
export class LocalBus implements Bus {
  /** In-process nodes share one Store, whose reads flush its queued writes first. */
  readonly spansProcesses = false;
  readonly presence: Presence;
  private readonly handlers = new Set<{ key: string; fn: (e: VehicleEvent) => void }>();
  private readonly groupHandlers = new Set<(e: GroupEvent) => void>();

  constructor(
    readonly nodeId = 'local',
    private readonly network = new LocalNetwork(),
  ) {
    const { cars, appCounts } = network;
    this.presence = {
      getCar: async (key) => cars.get(key),
      setCar: async (key, car) => {
        cars.set(key, car);
      },
      clearCar: async (key, car) => {
        const current = cars.get(key);
        if (current && current.node === car.node && current.conn === car.conn) cars.delete(key);
      },
      setAppCount: async (key, count) => {
        let perNode = appCounts.get(key);
        if (count > 0) {
          if (!perNode) {
            perNode = new Map();
            appCounts.set(key, perNode);
          }
          perNode.set(nodeId, count);
        } else if (perNode) {
          perNode.delete(nodeId);
          if (perNode.size === 0) appCounts.delete(key);
        }
      },
      getAppCount: async (key) => {
        let total = 0;
        for (const n of appCounts.get(key)?.values() ?? []) total += n;
        return total;
      },
    };
  }

  published = 0;

  async publish(vehicleKey: string, event: VehicleEvent): Promise<void> {
    this.published++;
    const handlers = this.network.vehicles.get(vehicleKey);
    if (!handlers) return;
    for (const handler of [...handlers]) handler(event);
  }

  async subscribe(vehicleKey: string, fn: (event: VehicleEvent) => void): Promise<Unsubscribe> {
    const { vehicles } = this.network;
    let handlers = vehicles.get(vehicleKey);
    if (!handlers) {
      handlers = new Set();
      vehicles.set(vehicleKey, handlers);
    }
    handlers.add(fn);
    const entry = { key: vehicleKey, fn };
    this.handlers.add(entry);
    return async () => {
      this.handlers.delete(entry);
      handlers.delete(fn);
      if (handlers.size === 0 && vehicles.get(vehicleKey) === handlers) vehicles.delete(vehicleKey);
    };
  }

  async publishGroup(event: GroupEvent): Promise<void> {
    for (const handler of [...this.network.groupHandlers]) handler(event);
  }

  async subscribeGroups(handler: (event: GroupEvent) => void): Promise<Unsubscribe> {
    this.network.groupHandlers.add(handler);
    this.groupHandlers.add(handler);
    return async () => {
      this.network.groupHandlers.delete(handler);
      this.groupHandlers.delete(handler);
    };
  }

  /** One process: a claim is taken and checked in one step (one node alone always gets it). */
  async claim(name: string): Promise<boolean> {
    const holder = this.network.claims.get(name);
    if (holder !== undefined && holder !== this.nodeId) return false;
    this.network.claims.set(name, this.nodeId);
    return true;
  }

  async release(name: string): Promise<void> {
    if (this.network.claims.get(name) === this.nodeId) this.network.claims.delete(name);
  }

  /** Drops this node's subscriptions, app counts and claims (its cars are cleared by the hub on close). */
  async close(): Promise<void> {
    for (const [name, node] of [...this.network.claims])
      if (node === this.nodeId) this.network.claims.delete(name);
    for (const { key, fn } of this.handlers) this.network.vehicles.get(key)?.delete(fn);
    this.handlers.clear();
    for (const h of this.groupHandlers) this.network.groupHandlers.delete(h);
    this.groupHandlers.clear();
    for (const key of [...this.network.appCounts.keys()]) await this.presence.setAppCount(key, 0);
  }
}
