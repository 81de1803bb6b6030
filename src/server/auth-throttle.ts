/**
 * Counts failed logins per (source address, vehicle id) and refuses further attempts for that pair
 * once a limit is reached within a window. Thousands of cars share a few carrier NAT addresses, so
 * the address alone must never be the key: another client's failures cannot lock out a valid car or
 * app of a different vehicle.
 */
export class AuthThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    /**
     * Attackers choose the vehicle ids, so the table is bounded: when full, the pair that failed
     * least recently is forgotten (a Map iterates in insertion order, and a failure re-inserts).
     */
    private readonly maxEntries = 100_000,
  ) {}

  private key(address: string, vehicleId: string): string {
    return `${address}\u0000${vehicleId}`;
  }

  /** True when attempts for this pair are currently refused. */
  blocked(address: string, vehicleId: string): boolean {
    if (this.limit <= 0) return false;
    const entry = this.failures.get(this.key(address, vehicleId));
    if (!entry) return false;
    if (this.now() - entry.since > this.windowMs) {
      this.failures.delete(this.key(address, vehicleId));
      return false;
    }
    return entry.count >= this.limit;
  }

  /** Records a failure; returns the count within the current window. */
  fail(address: string, vehicleId: string): number {
    const key = this.key(address, vehicleId);
    const now = this.now();
    const entry = this.failures.get(key);
    this.failures.delete(key);
    const next = !entry || now - entry.since > this.windowMs ? { count: 1, since: now } : entry;
    if (next === entry) entry.count++;
    if (this.failures.size >= this.maxEntries) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, next);
    return next.count;
  }

  /** A good login clears the pair's failures. */
  succeed(address: string, vehicleId: string): void {
    this.failures.delete(this.key(address, vehicleId));
  }

  /** Forgets expired windows (called by the housekeeping timer). */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.failures)
      if (now - entry.since > this.windowMs) this.failures.delete(key);
  }

  get size(): number {
    return this.failures.size;
  }
}
