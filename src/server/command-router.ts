import type { ConnAddress } from '../bus/bus.js';

/** A client waiting for the car's answer; `command` is unknown for paranoid commands. */
export interface Requester extends ConnAddress {
  command?: number;
}

/**
 * The FIFO of requesters of one car connection (WIRE.md §4.3). Replies go to the head; the head
 * stays queued while a multi-line reply continues. Unlike the reference, a reply to a requester
 * that has gone is simply dropped, and a reply with nobody queued is a broadcast, never an error.
 */
export class CommandRouter {
  private readonly queue: Requester[] = [];

  get length(): number {
    return this.queue.length;
  }

  push(requester: Requester): void {
    this.queue.push(requester);
  }

  /**
   * Who gets this reply line: the head of the queue, removed unless `final` is false; undefined
   * when nobody is waiting (broadcast to all clients).
   */
  route(final: boolean): Requester | undefined {
    const head = this.queue[0];
    if (head && final) this.queue.shift();
    return head;
  }

  /** Everyone still waiting (when the car disconnects). */
  drain(): Requester[] {
    return this.queue.splice(0);
  }
}
