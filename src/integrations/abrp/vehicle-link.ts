import type { Logger } from 'pino';
import type { AbrpLink, AbrpStatus } from '../../store/store.js';
import type { SendOutcome } from './abrp-client.js';
import type { CarState } from './car-state.js';
import { type AbrpTelemetry, buildTelemetry, isActive, isCharging, isParked } from './telemetry.js';

/** The `abrp.*` settings a link follows, in milliseconds. */
export interface AbrpTiming {
  intervalMs: number;
  parkedIntervalMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  breakerFailures: number;
}

/** What a link does to the world; the service gives it the real thing, tests a fake. */
export interface LinkDeps {
  timing: AbrpTiming;
  log: Logger;
  now(): number;
  send(token: string, tlm: AbrpTelemetry): Promise<SendOutcome>;
  /** Records what the owner should see; resolves false when the token was replaced meanwhile. */
  recordStatus(link: AbrpLink, status: AbrpStatus): Promise<unknown>;
  /** While the car drives or charges the link may count as an app (the module then reports more often). */
  holdApp?(): void;
  releaseApp?(): void;
}

/**
 * Without a message for this long a car is taken as gone: the link stops counting as an app. A car
 * that counts an app reports at least every minute (the module's `updatetime.connected`).
 */
export const ACTIVE_HOLD_MS = 10 * 60_000;

/**
 * One vehicle's ABRP link on the node its car is connected to: the newest state of the car, when the
 * next send is due, retries with exponential back-off and a breaker that slows them to one probe per
 * `retryMaxMs` after `breakerFailures` failures in a row. At most one send is in flight, and a send
 * always carries the newest state (newer reports replace what waited).
 */
export class VehicleLink {
  #link: AbrpLink;
  #car: CarState | undefined;
  /** `reportedAt` of the newest state sent (or given up on). */
  #sentReport = 0;
  #sentFlags: { charging: boolean; parked: boolean | undefined } | undefined;
  #lastAttempt = 0;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #dueAt = 0;
  #inFlight = false;
  #holding = false;
  #holdTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    link: AbrpLink,
    private readonly deps: LinkDeps,
  ) {
    this.#link = link;
  }

  get link(): AbrpLink {
    return this.#link;
  }

  /** Consecutive failed attempts (0 after a success). */
  get failures(): number {
    return this.#failures;
  }

  /** A stored link read again: a new token starts afresh, the same one keeps its state. */
  update(link: AbrpLink): void {
    const renewed = link.updatedAt.getTime() !== this.#link.updatedAt.getTime();
    // A reading taken before this node's own refusal was stored must not undo it.
    this.#link = !renewed && this.#link.refused ? this.#link : link;
    if (renewed) {
      this.#failures = 0;
      this.#sentReport = 0;
    }
    if (!this.#usable()) this.#release();
    this.#schedule();
  }

  carReported(car: CarState): void {
    this.#car = car;
    this.#followActivity();
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#release();
  }

  #usable(): boolean {
    return !this.#closed && !this.#link.refused && this.#link.token !== '';
  }

  #followActivity(): void {
    if (!this.deps.holdApp || !this.#car) return;
    if (!this.#usable() || !isActive(this.#car)) {
      this.#release();
      return;
    }
    if (!this.#holding) {
      this.#holding = true;
      this.deps.holdApp();
    }
    clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => this.#release(), ACTIVE_HOLD_MS);
    this.#holdTimer.unref();
  }

  #release(): void {
    clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    if (!this.#holding) return;
    this.#holding = false;
    this.deps.releaseApp?.();
  }

  /** Milliseconds to wait after the last attempt (its start; its end after a failure) before the next one. */
  #gap(car: CarState): number {
    const t = this.deps.timing;
    if (this.#failures > 0) {
      if (this.#failures >= t.breakerFailures) return t.retryMaxMs;
      return Math.min(t.retryBaseMs * 2 ** (this.#failures - 1), t.retryMaxMs);
    }
    const flags = { charging: isCharging(car), parked: isParked(car) };
    const changed =
      !this.#sentFlags ||
      flags.charging !== this.#sentFlags.charging ||
      flags.parked !== this.#sentFlags.parked;
    return changed || isActive(car) ? t.intervalMs : t.parkedIntervalMs;
  }

  #schedule(): void {
    const car = this.#car;
    if (!this.#usable() || this.#inFlight || !car || car.reportedAt <= this.#sentReport) return;
    const dueAt = Math.max(this.deps.now(), this.#lastAttempt + this.#gap(car));
    if (this.#timer && this.#dueAt === dueAt) return;
    clearTimeout(this.#timer);
    this.#dueAt = dueAt;
    this.#timer = setTimeout(() => void this.#fire(), dueAt - this.deps.now());
    this.#timer.unref();
  }

  async #fire(): Promise<void> {
    this.#timer = undefined;
    const car = this.#car;
    if (!this.#usable() || !car) return;
    const tlm = buildTelemetry(car);
    if (!tlm) return; // no SOC yet: wait for an S
    const link = this.#link;
    this.#inFlight = true;
    this.#lastAttempt = this.deps.now();
    let outcome: SendOutcome;
    try {
      outcome = await this.deps.send(link.token, tlm);
    } finally {
      this.#inFlight = false;
    }
    // A retry waits its back-off from the failure, however long the failed attempt took.
    if (outcome.kind === 'retry') this.#lastAttempt = this.deps.now();
    if (link === this.#link || link.updatedAt.getTime() === this.#link.updatedAt.getTime())
      await this.#settle(car, outcome);
    this.#schedule();
  }

  async #settle(car: CarState, outcome: SendOutcome): Promise<void> {
    const { log, timing } = this.deps;
    const vehicle = this.#link.vehicleId;
    if (outcome.kind === 'ok') {
      if (this.#failures >= timing.breakerFailures) log.info({ vehicle }, 'ABRP reachable again');
      this.#failures = 0;
      this.#sent(car);
      if (this.#link.error !== '') await this.#record('', false);
      return;
    }
    if (outcome.kind === 'refused') {
      log.warn(
        { vehicle, error: outcome.error },
        'ABRP refused the token: sending stopped for this vehicle until the owner stores a new one',
      );
      this.#link = { ...this.#link, refused: true };
      this.#release();
      await this.#record(outcome.error, true);
      return;
    }
    if (outcome.kind === 'failed') {
      // Not worth repeating: this state is dropped, the next report goes out as usual.
      this.#failures = 0;
      this.#sent(car);
      if (this.#link.error !== outcome.error) {
        log.warn({ vehicle, error: outcome.error }, 'ABRP did not take the telemetry');
        await this.#record(outcome.error, false);
      }
      return;
    }
    this.#failures++;
    if (this.#failures === timing.breakerFailures) {
      log.warn(
        { vehicle, error: outcome.error, failures: this.#failures, retryEveryMs: timing.retryMaxMs },
        'ABRP unreachable: retrying slowly (abrp.retry_max_s)',
      );
      await this.#record(outcome.error, false);
    }
  }

  #sent(car: CarState): void {
    this.#sentReport = car.reportedAt;
    this.#sentFlags = { charging: isCharging(car), parked: isParked(car) };
  }

  async #record(error: string, refused: boolean): Promise<void> {
    const at = new Date(this.deps.now());
    this.#link = { ...this.#link, error, refused, errorAt: error ? at : undefined };
    try {
      await this.deps.recordStatus(this.#link, { error, refused, at });
    } catch (err) {
      this.deps.log.error({ err, vehicle: this.#link.vehicleId }, 'ABRP status not stored');
    }
  }
}
