import type { ConnAddress } from '../bus/bus.js';

/** A client waiting for the car's answer; `command` is unknown for paranoid commands. */
export interface Requester extends ConnAddress {
  command?: number;
}

/** A requester the car never answered is forgotten after this long. */
export const REQUEST_TTL_MS = 10 * 60_000;

/**
 * The queue of requesters of one car connection (WIRE.md §4.3). The reference pops the head for
 * every reply; here a reply goes to the oldest requester of the same command number, so one
 * command the car never answers cannot shift every later reply to the wrong client. A multi-line
 * reply keeps its requester queued until the last line; a reply nobody waits for is a broadcast.
 */
export class CommandRouter {
  private queue: (Requester & { at: number })[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  get length(): number {
    return this.queue.length;
  }

  push(requester: Requester): void {
    this.queue.push({ ...requester, at: this.now() });
  }

  /**
   * Who gets this reply line (`command` undefined for a paranoid reply): removed from the queue
   * when `final`; undefined when nobody is waiting (broadcast to all clients).
   */
  route(command: number | undefined, final: boolean): Requester | undefined {
    const cutoff = this.now() - REQUEST_TTL_MS;
    if (this.queue.length > 0 && this.queue[0]!.at < cutoff)
      this.queue = this.queue.filter((r) => r.at >= cutoff);
    let at = command === undefined ? 0 : this.queue.findIndex((r) => r.command === command);
    if (at < 0) at = this.queue.findIndex((r) => r.command === undefined);
    const entry = this.queue[at];
    if (!entry) return undefined;
    if (final) this.queue.splice(at, 1);
    const { at: _, ...requester } = entry;
    return requester;
  }

  /** Everyone still waiting (when the car disconnects). */
  drain(): Requester[] {
    return this.queue.splice(0).map(({ at: _, ...r }) => r);
  }
}
