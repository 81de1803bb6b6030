/**
 * Per-address request quota with the reference's semantics (SERVER-INVENTORY.md §4.1): a new address
 * starts with `burst` requests, every request takes one, the quota grows by `perMinute` a minute up
 * to `max`, and an address idle for `expire` is forgotten. The refill here is continuous rather than
 * a once-a-minute tick, so a client is never stuck waiting for the next tick.
 */
export interface RateLimitOptions {
  burst: number;
  perMinute: number;
  max: number;
  /** Milliseconds. */
  expire: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly opts: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.opts.burst > 0;
  }

  /** Takes one request from the address's quota; false when there is none left. */
  take(address: string): boolean {
    if (!this.enabled) return true;
    const now = this.now();
    let bucket = this.buckets.get(address);
    if (!bucket) {
      bucket = { tokens: this.opts.burst, updated: now };
      this.buckets.set(address, bucket);
    } else {
      const refill = ((now - bucket.updated) * this.opts.perMinute) / 60_000;
      if (bucket.tokens < this.opts.max) bucket.tokens = Math.min(this.opts.max, bucket.tokens + refill);
      bucket.updated = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Seconds until the address has a request again (for Retry-After). */
  retryAfter(address: string): number {
    const bucket = this.buckets.get(address);
    if (!bucket || bucket.tokens >= 1 || this.opts.perMinute <= 0) return 60;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.opts.perMinute));
  }

  /** Forgets addresses idle for longer than `expire`. */
  sweep(): void {
    const cutoff = this.now() - this.opts.expire;
    for (const [address, bucket] of this.buckets) if (bucket.updated < cutoff) this.buckets.delete(address);
  }

  get size(): number {
    return this.buckets.size;
  }
}
