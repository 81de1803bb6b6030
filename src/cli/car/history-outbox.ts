/**
 * The car's queue of `h` historical records (WIRE.md §7.1, §3.2). Each record gets the next ack
 * code; the server answers `h<ack>`, and anything not acknowledged is sent again 10 s after it
 * went out. Like v3 it sends at most a few records per round. Time is passed in (real ms), so the
 * resend rule is testable without waiting.
 */
export interface HistoryEntry {
  type: string;
  recno: number;
  lifetime: number;
  data: string;
}

interface Queued extends HistoryEntry {
  ack: number;
  createdMs: number;
  sentMs: number | undefined;
}

export const RESEND_AFTER_MS = 10_000;
export const MAX_PER_ROUND = 5;

export class HistoryOutbox {
  private readonly queue: Queued[] = [];
  private nextAck: number;

  constructor(firstAck = 1) {
    this.nextAck = firstAck;
  }

  get size(): number {
    return this.queue.length;
  }

  add(entry: HistoryEntry, nowMs: number): number {
    const ack = this.nextAck++;
    this.queue.push({ ...entry, ack, createdMs: nowMs, sentMs: undefined });
    return ack;
  }

  /**
   * The `h` payloads to send now: records never sent, or sent at least 10 s ago and still not
   * acknowledged, oldest first and at most `max`. The age field is minus the seconds since the
   * record was made, so the server can date it correctly.
   */
  due(nowMs: number, max = MAX_PER_ROUND): string[] {
    const out: string[] = [];
    for (const q of this.queue) {
      if (out.length >= max) break;
      if (q.sentMs !== undefined && nowMs - q.sentMs < RESEND_AFTER_MS) continue;
      q.sentMs = nowMs;
      const age = -Math.max(0, Math.floor((nowMs - q.createdMs) / 1000));
      out.push(`${q.ack},${age},${q.type},${q.recno},${q.lifetime},${q.data}`);
    }
    return out;
  }

  /** Handles the server's `h<ack>`; returns whether it matched a queued record. */
  acknowledge(ackText: string): boolean {
    const at = this.queue.findIndex((q) => String(q.ack) === ackText.trim());
    if (at < 0) return false;
    this.queue.splice(at, 1);
    return true;
  }

  /** After a reconnect everything still queued goes out again at once. */
  resendAll(): void {
    for (const q of this.queue) q.sentMs = undefined;
  }
}
