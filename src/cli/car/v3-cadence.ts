/**
 * When the simulated v3 module publishes what (V3.md §2.3, §3.1), as firmware 3.3.006 does by
 * default: a full send at each login, then the changed metrics every `on` seconds while the car is
 * on, `charging` while it charges, `connected` while a client is present (`client/<cid>/active`),
 * `awake` while awake, else `idle`; a client is present for 120 s after its last non-`0` message.
 * Pure bookkeeping: metric intervals in simulated seconds, presence in real milliseconds (clients
 * renew it on the clock, whatever the simulation's speed).
 */

export interface V3Intervals {
  on: number;
  charging: number;
  connected: number;
  awake: number;
  idle: number;
}

/** The firmware's defaults (`server.v3 updatetime.*`, 3.3.006). */
export const DEFAULT_V3_INTERVALS: V3Intervals = { on: 5, charging: 10, connected: 10, awake: 60, idle: 600 };

/** A client counts as present this long after its last `active` message. */
export const PRESENCE_MS = 120_000;

export interface CarActivity {
  on: boolean;
  charging: boolean;
  awake: boolean;
}

export class V3Cadence {
  /** Client id → real ms its presence expires. */
  private readonly clients = new Map<string, number>();
  /** Simulated seconds of the last send, full or changed-only. */
  private lastSendAt = Number.NEGATIVE_INFINITY;
  /** What was last published per metric, to send only changes. */
  private readonly sent = new Map<string, string>();

  constructor(private readonly intervals: V3Intervals) {}

  get peers(): number {
    return this.clients.size;
  }

  /**
   * Records a client's `active` message (`1` or anything but empty or `0` = present). Returns
   * whether the number of present clients changed.
   */
  presence(clientId: string, payload: string, nowMs: number): boolean {
    const before = this.clients.size;
    const present = payload !== '' && payload !== '0';
    if (present) this.clients.set(clientId, nowMs + PRESENCE_MS);
    else this.clients.delete(clientId);
    return this.clients.size !== before;
  }

  /** Forgets clients whose presence expired; returns whether any did. */
  sweep(nowMs: number): boolean {
    let dropped = false;
    for (const [id, expires] of this.clients) {
      if (expires <= nowMs) {
        this.clients.delete(id);
        dropped = true;
      }
    }
    return dropped;
  }

  /** The module restarted: it knows no clients and has sent nothing. */
  reset(): void {
    this.clients.clear();
    this.sent.clear();
    this.lastSendAt = Number.NEGATIVE_INFINITY;
  }

  /** The changed-metrics interval that applies now (first match, as the firmware checks). */
  interval(car: CarActivity): number {
    const i = this.intervals;
    if (car.on) return i.on;
    if (car.charging) return i.charging;
    if (this.clients.size > 0) return i.connected;
    if (car.awake) return i.awake;
    return i.idle;
  }

  /**
   * Whether the periodic changed-metrics send is due (simulated seconds). The interval is the one
   * that applies now, so a client's arrival shortens the wait at once.
   */
  modifiedDue(now: number, car: CarActivity): boolean {
    return now >= this.lastSendAt + this.interval(car);
  }

  /** Every metric (a full send); remembers them as sent. */
  full(metrics: ReadonlyMap<string, string>, now: number): [string, string][] {
    for (const [name, text] of metrics) this.sent.set(name, text);
    this.lastSendAt = now;
    return [...metrics];
  }

  /** The metrics whose text differs from what was last sent; remembers them as sent. */
  modified(metrics: ReadonlyMap<string, string>, now: number): [string, string][] {
    const changed = [...metrics].filter(([name, text]) => this.sent.get(name) !== text);
    for (const [name, text] of changed) this.sent.set(name, text);
    this.lastSendAt = now;
    return changed;
  }
}
