import type { Logger } from 'pino';
import type { VehicleRef } from '../store/store.js';
import type { Connection } from './connection.js';
import type { Link } from './link.js';

/** A car connection of this node, as observers see it. */
export interface ObservedCar {
  ref: VehicleRef;
  ownerName: string;
  /** `<ownerId>/<vehicleId>` (vehicleKey). */
  key: string;
  /** How the car is connected: `mqtt` for a v3 module the bridge attached (src/bridge). */
  transport: Link['transport'];
}

/**
 * A car message as the node its car is connected to handled it: a stored message, an alert (`P`),
 * or a history record (in `H` form, at its own time). Never a paranoid one: it cannot be read.
 */
export interface ObservedCarMessage {
  ref: VehicleRef;
  code: string;
  payload: Buffer;
  time: Date;
  /** As in ObservedCar (the hub always says; without them the car counts as a v2 car). */
  key?: string;
  transport?: Link['transport'];
}

/** A logged-in car connection as observers see it. */
export function observedCar(car: Connection): ObservedCar {
  const vehicle = car.vehicle!;
  return {
    ref: { ownerId: vehicle.ownerId, vehicleId: vehicle.vehicleId },
    ownerName: vehicle.ownerName,
    key: car.vehicleKey,
    transport: car.link.transport,
  };
}

export type CarMessageObserver = (message: ObservedCarMessage) => void;

/** An observer of cars coming and going as well as of their messages; every part is optional. */
export interface CarObserver {
  message?(message: ObservedCarMessage): void;
  /** A car connection is ready (logged in, registered, announced). */
  carUp?(car: ObservedCar): void;
  /** That car connection went away (or was replaced by a newer login). */
  carDown?(car: ObservedCar): void;
}

export interface ObserverOptions {
  /**
   * Whether the cars the v3 bridge attached (transport `mqtt`) are reported; default yes. The
   * bridge's own mirror of v2 cars on MQTT says no: those cars are on MQTT already.
   */
  bridged?: boolean;
}

interface Entry {
  observer: CarObserver;
  bridged: boolean;
}

/**
 * Who wants to see this node's cars and the messages they send, whether or not any app watches
 * them: integrations such as ABRP, and the v3 bridge's mirror of v2 cars on MQTT. Each message is
 * seen once, on the car's node only. An observer must return promptly; one that throws is logged
 * and the others still run.
 */
export class CarMessageObservers {
  readonly #entries = new Set<Entry>();

  constructor(private readonly log: Logger) {}

  /** A function observes messages only. Returns the unsubscribe. */
  add(observer: CarMessageObserver | CarObserver, options: ObserverOptions = {}): () => void {
    const entry: Entry = {
      observer: typeof observer === 'function' ? { message: observer } : observer,
      bridged: options.bridged ?? true,
    };
    this.#entries.add(entry);
    return () => this.#entries.delete(entry);
  }

  /** Whether anyone observes: the message handler builds no event for nobody (one per car message). */
  get active(): boolean {
    return this.#entries.size > 0;
  }

  notify(message: ObservedCarMessage): void {
    this.#each(message.transport, 'message', (o) => o.message?.(message));
  }

  carUp(car: ObservedCar): void {
    this.#each(car.transport, 'car up', (o) => o.carUp?.(car));
  }

  carDown(car: ObservedCar): void {
    this.#each(car.transport, 'car down', (o) => o.carDown?.(car));
  }

  #each(transport: Link['transport'] | undefined, what: string, call: (observer: CarObserver) => void): void {
    for (const entry of this.#entries) {
      if (transport === 'mqtt' && !entry.bridged) continue;
      try {
        call(entry.observer);
      } catch (err) {
        this.log.error({ err, event: what }, 'car observer failed');
      }
    }
  }
}
