/** The firmware forgets a client 120 s after its last `active` message; renew well before. */
export const ACTIVE_RENEW_MS = 60_000;

/**
 * The bridge's presence on a v3 module (`client/<cid>/active`, V3.md §2.3): the v3 form of the v2
 * `Z<n>` a server sends a car. While apps watch (n > 0) it publishes `1` and renews it every
 * minute, so the module sends fresh data; when the last one leaves, `0`. Never retained.
 */
export class ActivePresence {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publish: (payload: '1' | '0') => void,
    private readonly renewMs = ACTIVE_RENEW_MS,
  ) {}

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** The number of apps watching, as the hub's `Z<n>` says. */
  set(apps: number): void {
    if (apps > 0) {
      if (this.timer) return;
      this.publish('1');
      this.timer = setInterval(() => this.publish('1'), this.renewMs);
      this.timer.unref();
    } else {
      this.stop();
    }
  }

  /** Clears the presence (publishes `0`) if it was set. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.publish('0');
  }
}
