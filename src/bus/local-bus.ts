import type { Bus, ConnAddress, GroupEvent, Presence, Unsubscribe, VehicleEvent } from './bus.js';

/**
 * The in-process bus: one node, synchronous delivery in publish order. Presence is a pair of maps.
 */
export class LocalBus implements Bus {
  readonly presence: Presence;
  private readonly vehicles = new Map<string, Set<(e: VehicleEvent) => void>>();
  private readonly groupHandlers = new Set<(e: GroupEvent) => void>();
  private readonly cars = new Map<string, ConnAddress>();
  private readonly appCounts = new Map<string, number>();

  constructor(readonly nodeId = 'local') {
    const cars = this.cars;
    const appCounts = this.appCounts;
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
        if (count > 0) appCounts.set(key, count);
        else appCounts.delete(key);
      },
      getAppCount: async (key) => appCounts.get(key) ?? 0,
    };
  }

  async publish(vehicleKey: string, event: VehicleEvent): Promise<void> {
    const handlers = this.vehicles.get(vehicleKey);
    if (!handlers) return;
    for (const handler of [...handlers]) handler(event);
  }

  async subscribe(vehicleKey: string, handler: (event: VehicleEvent) => void): Promise<Unsubscribe> {
    let handlers = this.vehicles.get(vehicleKey);
    if (!handlers) {
      handlers = new Set();
      this.vehicles.set(vehicleKey, handlers);
    }
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.vehicles.get(vehicleKey) === handlers) this.vehicles.delete(vehicleKey);
    };
  }

  async publishGroup(event: GroupEvent): Promise<void> {
    for (const handler of [...this.groupHandlers]) handler(event);
  }

  async subscribeGroups(handler: (event: GroupEvent) => void): Promise<Unsubscribe> {
    this.groupHandlers.add(handler);
    return async () => {
      this.groupHandlers.delete(handler);
    };
  }

  async close(): Promise<void> {
    this.vehicles.clear();
    this.groupHandlers.clear();
  }
}
