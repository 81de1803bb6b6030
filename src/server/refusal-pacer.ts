/** What the pacer stops and starts: the reading of one connection's socket. */
export interface ReadGate {
  pause(): void;
  resume(): void;
}

export interface PacingLimits {
  /** Refused commands a connection may send per second, on average (0 = never paused). */
  perSecond: number;
  /** Refused commands it may send at once before the average applies. */
  burst: number;
  /** Longest single pause: what a connection owes beyond it is forgiven. */
  maxPauseMs: number;
}

/**
 * Backpressure for a connection whose commands keep being refused (over a cap, car offline, lacking
 * a right). Each refusal takes a token from a bucket of `burst` tokens refilled at `perSecond`; a
 * refusal that finds the bucket empty pauses the reading of the socket until the bucket is back to
 * zero. The lines of the chunk already read are still handled and answered (each refusal read while
 * paused adds to what is owed, and the pause lasts that much longer, up to `maxPauseMs`). So however
 * fast a client sends commands the server can only refuse, the server reads, decrypts and answers
 * about `perSecond` of them a second (plus at most one socket read per `maxPauseMs`), and the rest
 * waits in the client's own buffers. A client whose commands are accepted never touches the bucket.
 */
export class RefusalPacer {
  private tokens: number;
  private refilledAt: number;
  private timer: NodeJS.Timeout | undefined;
  /** Pauses so far (the first one is logged). */
  pauses = 0;

  constructor(
    private readonly limits: PacingLimits,
    private readonly gate: ReadGate,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = limits.burst;
    this.refilledAt = now();
  }

  /** Whether reading is paused by this pacer now. */
  get paused(): boolean {
    return this.timer !== undefined;
  }

  /** Counts one refused command; true when it started a pause. */
  refused(): boolean {
    const { perSecond, maxPauseMs } = this.limits;
    if (perSecond <= 0) return false;
    this.refill();
    this.tokens = Math.max(this.tokens - 1, (-perSecond * maxPauseMs) / 1000);
    if (this.tokens >= 0 || this.timer) return false;
    this.pauses++;
    this.gate.pause();
    this.schedule();
    return true;
  }

  /** The connection closed: no timer may outlive it. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(
      this.limits.burst,
      this.tokens + ((now - this.refilledAt) * this.limits.perSecond) / 1000,
    );
    this.refilledAt = now;
  }

  private schedule(): void {
    const ms = Math.ceil((-this.tokens * 1000) / this.limits.perSecond);
    this.timer = setTimeout(() => this.wake(), Math.max(1, ms));
    this.timer.unref();
  }

  private wake(): void {
    this.refill();
    // Rounding may leave a sliver owed: a fraction of a token is not worth another timer.
    if (this.tokens < -0.001) {
      this.schedule();
      return;
    }
    this.timer = undefined;
    this.gate.resume();
  }
}
