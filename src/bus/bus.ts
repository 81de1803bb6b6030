/**
 * The message bus seam: how the hub reaches the connections of a vehicle that may live on another
 * server node. Every cross-connection delivery (car to apps, app to car, command replies, Z counts,
 * groups) goes through it, so a single node and N nodes behave the same. `LocalBus` is the
 * in-process default; a Redis implementation replaces it for scale-out.
 *
 * Events are delivered to every subscriber, the publishing node included, in publish order per
 * channel. Payloads are Buffers; a bus that crosses processes serialises them byte-exactly.
 */

/** Where a connection lives: the node id and the connection id on that node. */
export interface ConnAddress {
  node: string;
  conn: string;
}

/** A car's presence entry: where it is, and `mqtt` for a v3 module the bridge attached. */
export interface CarAddress extends ConnAddress {
  transport?: 'mqtt';
}

/** One protocol message: code and payload bytes. */
export interface BusLine {
  code: string;
  payload: Buffer;
}

export type VehicleEvent =
  /** Messages for every app and batch client of the vehicle (car messages, T0, f, P, broadcasts). */
  | { type: 'to-clients'; lines: BusLine[] }
  /** A message for the car; `requester` is queued for the `c` reply when it is a command. */
  | { type: 'to-car'; line: BusLine; requester?: ConnAddress & { command?: number } }
  /** A message for one connection (a command reply). */
  | { type: 'to-conn'; target: ConnAddress; line: BusLine }
  /** A car logged in: older car connections elsewhere close; apps learn Z1. */
  | { type: 'car-up'; car: ConnAddress }
  /** A car connection ended: apps learn Z0 unless another car connection is current. */
  | { type: 'car-down'; car: ConnAddress }
  /** The number of interactive apps changed: the car's node tells the car Z<n>. */
  | { type: 'apps-changed' }
  /** A requester went away (closed, timed out): the car's node forgets its queued commands. */
  | { type: 'requests-cancelled'; requester: ConnAddress };

export interface GroupEvent {
  type: 'group-update' | 'group-remove';
  group: string;
  vehicleKey: string;
  vehicleId: string;
  /** For updates: the car's group payload. */
  payload?: string;
}

export type Unsubscribe = () => Promise<void>;

export interface Presence {
  /** The current car connection of a vehicle, on any node. */
  getCar(vehicleKey: string): Promise<CarAddress | undefined>;
  setCar(vehicleKey: string, car: CarAddress): Promise<void>;
  /** Clears the car only if it is still `car` (a newer login may have replaced it). */
  clearCar(vehicleKey: string, car: CarAddress): Promise<void>;
  /** This node's count of interactive apps (v2 apps plus HTTP virtual apps) for a vehicle. */
  setAppCount(vehicleKey: string, count: number): Promise<void>;
  /** The total over all live nodes. */
  getAppCount(vehicleKey: string): Promise<number>;
}

export interface Bus {
  readonly nodeId: string;
  /**
   * Whether other processes receive this bus's events: nodes that read the database through
   * connections of their own, so they cannot see a write this node has queued but not committed
   * (the hub then relays a car's message only after its store write commits: relay-order.ts).
   */
  readonly spansProcesses: boolean;
  readonly presence: Presence;
  /** Vehicle events this node has published (the metrics). */
  readonly published?: number;
  /** Live nodes on the bus, this one included (the metrics); one when not given. */
  nodeCount?(): Promise<number>;
  publish(vehicleKey: string, event: VehicleEvent): Promise<void>;
  /** Subscribes this node to a vehicle's events (while it has connections of that vehicle). */
  subscribe(vehicleKey: string, handler: (event: VehicleEvent) => void): Promise<Unsubscribe>;
  publishGroup(event: GroupEvent): Promise<void>;
  subscribeGroups(handler: (event: GroupEvent) => void): Promise<Unsubscribe>;
  /**
   * Takes `name` for this node if no live node holds it (atomically: of nodes claiming at once,
   * exactly one gets it); true when this node holds it now, which it keeps until `release`, its
   * `close`, or its death (then the claim lapses with its lease). The v3 bridge claims a module
   * this way before attaching it, as every node following one broker sees the module.
   */
  claim(name: string): Promise<boolean>;
  /** Gives a claim of this node up (nothing when it holds none). */
  release(name: string): Promise<void>;
  close(): Promise<void>;
}
