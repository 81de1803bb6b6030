import type { AuthThrottle } from './auth-throttle.js';
import type { Hub } from './hub.js';

/**
 * The server's timers: the connection sweep (login deadline, idle timeouts, car pings), the
 * history purge, the utilisation flush and the throttle clean-up. Timers are unref'd so they never
 * keep a stopped server's process alive.
 */
export class Housekeeping {
  private timers: NodeJS.Timeout[] = [];
  private purging = false;

  constructor(
    private readonly hub: Hub,
    private readonly throttle: AuthThrottle,
    private readonly sweep: () => void,
  ) {}

  start(): void {
    const c = this.hub.config;
    const t = c.timeouts;
    // Sweep often enough for the shortest timeout to be honoured within a quarter of it.
    const sweepEvery = Math.max(20, Math.min(5000, Math.min(t.login, t.car, t.app, t.batch, t.carPing) / 4));
    this.every(sweepEvery, () => this.sweep());
    this.every(c.history.purgeInterval, () => void this.purge());
    this.every(c.history.utilisationFlush, () => void this.hub.utilisation.flush());
    this.every(60_000, () => this.throttle.sweep());
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  private every(ms: number, fn: () => void): void {
    if (ms <= 0) return;
    const timer = setInterval(fn, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /**
   * Deletes expired history in bounded batches until none are left, so the purge keeps up with any
   * insert rate without holding the database for long (the reference stops at 2,500 a minute).
   */
  async purge(now = new Date()): Promise<number> {
    if (this.purging) return 0;
    this.purging = true;
    const { store, config, log } = this.hub;
    let total = 0;
    try {
      for (;;) {
        const n = await store.purgeHistory(now, config.history.purgeBatch);
        total += n;
        if (n < config.history.purgeBatch) break;
        await new Promise((r) => setImmediate(r));
      }
      // Recorded samples and periods older than history.keep_days, in the same bounded steps.
      const keepFrom = new Date(now.getTime() - config.history.keepDays * 86_400_000);
      for (;;) {
        const n = await store.purgeRecording(keepFrom, config.history.purgeBatch);
        total += n;
        if (n < config.history.purgeBatch) break;
        await new Promise((r) => setImmediate(r));
      }
      const cutoff = new Date(now.getTime() - config.history.utilisationDays * 86_400_000);
      total += await store.purgeUtilisation(cutoff.toISOString().slice(0, 10));
      if (total > 0) log.debug({ rows: total }, 'expired history purged');
    } catch (err) {
      log.error({ err }, 'history purge failed');
    } finally {
      this.purging = false;
    }
    return total;
  }
}
