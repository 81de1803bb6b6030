import type { Logger } from 'pino';
import type { VehicleRef } from '../store/store.js';

/** A car message as the node its car is connected to stored it (never a paranoid one: it cannot be read). */
export interface ObservedCarMessage {
  ref: VehicleRef;
  code: string;
  payload: Buffer;
  time: Date;
}

export type CarMessageObserver = (message: ObservedCarMessage) => void;

/**
 * Who wants to see the messages cars send to this node, whether or not any app watches them
 * (integrations such as ABRP). Each message is seen once, on the car's node only. An observer must
 * return promptly; one that throws is logged and the others still run.
 */
export class CarMessageObservers {
  readonly #observers = new Set<CarMessageObserver>();

  constructor(private readonly log: Logger) {}

  /** Returns the unsubscribe. */
  add(observer: CarMessageObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Whether anyone observes: the message handler builds no event for nobody (one per car message). */
  get active(): boolean {
    return this.#observers.size > 0;
  }

  notify(message: ObservedCarMessage): void {
    for (const observer of this.#observers) {
      try {
        observer(message);
      } catch (err) {
        this.log.error({ err, code: message.code }, 'car message observer failed');
      }
    }
  }
}
