import type { ConnAddress } from '../bus/bus.js';
import type { CommandStats } from './server-counters.js';

/** A client waiting for the car's answer; `command` is unknown for paranoid commands. */
export interface Requester extends ConnAddress {
  command?: number;
}

/** The text of the reply a command gets when too many already await the car's answer. */
export const BUSY_TEXT = 'server busy: too many commands awaiting a reply';

/** The `c` payload that tells a requester its command was refused for being over a cap. */
export function busyReply(command: number): string {
  return `${command},1,${BUSY_TEXT}`;
}

const busyReplies = new Map<number, Buffer>();

/** `busyReply` as bytes, kept for the few command numbers refused most (a flood repeats one). */
export function busyReplyBytes(command: number): Buffer {
  let bytes = busyReplies.get(command);
  if (!bytes) {
    if (busyReplies.size >= 64) busyReplies.clear();
    bytes = Buffer.from(busyReply(command), 'latin1');
    busyReplies.set(command, bytes);
  }
  return bytes;
}

/** `route` found the reply's requester, but the requester has gone: the line is dropped. */
export const GONE = Symbol('requester gone');

export interface RouterLimits {
  /** Most requesters queued at once; `push` refuses more. */
  max: number;
  /** A requester the car has not answered for this long is forgotten (0 = never). */
  ttlMs: number;
}

/**
 * The queue of requesters of one car connection (WIRE.md §4.3). The reference pops the head for
 * every reply; here a reply goes to the oldest requester of the same command number, so one
 * command the car never answers cannot shift every later reply to the wrong client. A multi-line
 * reply keeps its requester queued until the last line; a reply nobody waits for is a broadcast.
 * The queue is bounded (`max`) and requesters expire (`ttlMs`, counted again from each line of a
 * multi-line reply), so a car that never answers holds at most `max` small entries.
 *
 * A requester that goes away (`cancel`) stops counting against `max`, but its commands keep an
 * anonymous place in the queue until answered or expired: the car still answers them, and that
 * answer must be dropped (WIRE.md §4.3), not handed to the next client waiting for the same
 * command number. At most `max` such places are kept, the oldest forgotten first.
 */
export class CommandRouter {
  private queue: (Requester & { at: number; sentAt: number; gone?: true })[] = [];
  private goneCount = 0;

  /** `stats`, when given, counts this queue's commands (a car's queue, for the metrics). */
  constructor(
    private readonly limits: RouterLimits = { max: 128, ttlMs: 120_000 },
    private readonly now: () => number = Date.now,
    private readonly stats?: CommandStats,
  ) {}

  /** Requesters waiting (those gone not counted). */
  get length(): number {
    return this.queue.length - this.goneCount;
  }

  /** Whether `push` would refuse now. */
  get full(): boolean {
    this.expire();
    return this.length >= this.limits.max;
  }

  /** Queues a requester; false (nothing queued) when `max` are already waiting. */
  push(requester: Requester): boolean {
    this.expire();
    if (this.length >= this.limits.max) {
      if (this.stats) this.stats.refused++;
      return false;
    }
    const at = this.now();
    this.queue.push({ ...requester, at, sentAt: at });
    if (this.stats) this.stats.sent++;
    return true;
  }

  /**
   * Who gets this reply line (`command` undefined for a paranoid reply): removed from the queue
   * when `final`; undefined when nobody is waiting (broadcast to all clients); GONE when the
   * requester has gone (the line is dropped).
   */
  route(command: number | undefined, final: boolean): Requester | typeof GONE | undefined {
    this.expire();
    let at = command === undefined ? 0 : this.queue.findIndex((r) => r.command === command);
    if (at < 0) at = this.queue.findIndex((r) => r.command === undefined);
    const entry = this.queue[at];
    if (!entry) return undefined;
    if (final) {
      this.queue.splice(at, 1);
      if (entry.gone) this.goneCount--;
      if (this.stats) {
        this.stats.answered++;
        this.stats.roundTrip?.(this.now() - entry.sentAt);
      }
    } else {
      entry.at = this.now();
    }
    if (entry.gone) return GONE;
    return { node: entry.node, conn: entry.conn, command: entry.command };
  }

  /** A requester went away: its commands stop counting, and their replies will be dropped. */
  cancel(requester: ConnAddress): number {
    let n = 0;
    for (const r of this.queue) {
      if (r.gone || r.node !== requester.node || r.conn !== requester.conn) continue;
      r.gone = true;
      r.node = '';
      r.conn = '';
      n++;
    }
    this.goneCount += n;
    if (this.goneCount > this.limits.max) {
      let excess = this.goneCount - this.limits.max;
      this.queue = this.queue.filter((r) => !(r.gone && excess-- > 0));
      this.goneCount = this.limits.max;
    }
    return n;
  }

  /** Everyone still waiting (when the car disconnects). */
  drain(): Requester[] {
    const waiting = this.queue.filter((r) => !r.gone);
    if (this.stats) this.stats.carGone += this.queue.length;
    this.queue = [];
    this.goneCount = 0;
    return waiting.map((r) => ({ node: r.node, conn: r.conn, command: r.command }));
  }

  private expire(): void {
    if (this.limits.ttlMs <= 0 || this.queue.length === 0) return;
    const cutoff = this.now() - this.limits.ttlMs;
    // Entries are in push order, but a multi-line reply renews its entry: check them all.
    if (!this.queue.some((r) => r.at < cutoff)) return;
    const before = this.queue.length;
    this.queue = this.queue.filter((r) => r.at >= cutoff);
    if (this.stats) this.stats.timedOut += before - this.queue.length;
    this.goneCount = this.queue.filter((r) => r.gone).length;
  }
}
