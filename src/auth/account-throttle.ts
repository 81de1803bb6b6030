/**
 * Failed-login throttling per owner account, from any address, shared by every password login (HTTP
 * cookie, query credentials, /mqapi/auth, v2 scheme 1). After `free` failures each further try must
 * wait: 1 s after the next failure, then 2 s, 4 s... up to `maxDelayMs`. A try made too early is
 * refused without checking the password, so it cannot be a guess. Nothing is ever locked for longer
 * than `maxDelayMs`, and failures are forgotten `windowMs` after the last one.
 *
 * A good login never clears the failures (that would hand the attacker fresh tries whenever the owner
 * logs in); it marks its address as proven instead, and tries from a proven address are not delayed,
 * so the owner's own clients keep working while someone else guesses.
 *
 * The state is per server node (with several nodes an attacker gets the allowance once per node)
 * and bounded: at most `maxEntries` accounts, the one touched least recently forgotten first.
 */
export interface AccountThrottleOptions {
  /** Failures allowed before tries are delayed (0 = no throttling). */
  free: number;
  maxDelayMs: number;
  windowMs: number;
  maxEntries?: number;
  /** Proven addresses kept per account (the most recent). */
  maxProven?: number;
}

interface Account {
  failures: number;
  lastFailure: number;
  /** Tries being checked now: they count as failures until they are settled. */
  inFlight: number;
  /** No further try before this time. */
  nextAt: number;
  /** Addresses that logged in to this account, most recent last. */
  proven: string[];
  touched: number;
}

/** A try allowed by `begin`: report how it went exactly once (undefined: no answer, e.g. a database error). */
export type Attempt = { wait: 0; settle(ok: boolean | undefined): void } | { wait: number };

const FIRST_DELAY_MS = 1000;

export class AccountThrottle {
  private readonly accounts = new Map<string, Account>();
  private readonly maxEntries: number;
  private readonly maxProven: number;

  constructor(
    private readonly opts: AccountThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.maxEntries = opts.maxEntries ?? 100_000;
    this.maxProven = opts.maxProven ?? 8;
  }

  /** Owner names are matched without case: some databases compare them so. */
  private key(name: string): string {
    return name.toLowerCase();
  }

  /** The account's entry, moved to the end of the table (most recently touched), expired parts reset. */
  private entry(name: string, create: boolean): Account | undefined {
    const key = this.key(name);
    const now = this.now();
    let account = this.accounts.get(key);
    if (account) this.accounts.delete(key);
    if (account && now - account.lastFailure > this.opts.windowMs && account.inFlight === 0) {
      account.failures = 0;
      account.nextAt = 0;
    }
    if (account && now - account.touched > this.opts.windowMs && account.failures === 0) {
      account = undefined; // nothing left worth keeping
    }
    if (!account) {
      if (!create) return undefined;
      account = { failures: 0, lastFailure: 0, inFlight: 0, nextAt: 0, proven: [], touched: now };
    }
    account.touched = now;
    this.accounts.set(key, account);
    this.trim(now);
    return account;
  }

  /** Drops the least recently touched accounts beyond the bound, and expired ones at the front. */
  private trim(now: number): void {
    for (const [key, account] of this.accounts) {
      const expired = now - account.touched > this.opts.windowMs && account.inFlight === 0;
      if (!expired && this.accounts.size <= this.maxEntries) break;
      this.accounts.delete(key);
    }
  }

  private delay(beyond: number): number {
    return Math.min(this.opts.maxDelayMs, FIRST_DELAY_MS * 2 ** Math.min(30, beyond - 1));
  }

  /**
   * Asks to check a password for `name`, from `from` (undefined when the address says nothing of the
   * caller, e.g. a broker asking for its clients). `wait` > 0: refused, try again in that many ms.
   */
  begin(name: string, from?: string): Attempt {
    if (this.opts.free <= 0) return { wait: 0, settle: () => {} };
    const account = this.entry(name, true)!;
    const proven = from !== undefined && account.proven.includes(from);
    if (!proven) {
      const tries = account.failures + account.inFlight;
      if (tries >= this.opts.free) {
        const now = this.now();
        if (now < account.nextAt) return { wait: account.nextAt - now };
        // Taken before the answer is known, so tries made at the same moment wait their turn.
        account.nextAt = now + this.delay(tries - this.opts.free + 1);
      }
    }
    account.inFlight++;
    let settled = false;
    return {
      wait: 0,
      settle: (ok) => {
        if (settled) return;
        settled = true;
        this.settle(name, ok, from);
      },
    };
  }

  private settle(name: string, ok: boolean | undefined, from: string | undefined): void {
    const account = this.entry(name, true)!;
    account.inFlight = Math.max(0, account.inFlight - 1);
    const now = this.now();
    if (ok === undefined) return;
    if (ok) {
      if (from === undefined) return;
      account.proven = account.proven.filter((a) => a !== from);
      account.proven.push(from);
      if (account.proven.length > this.maxProven) account.proven.shift();
      return;
    }
    account.failures++;
    account.lastFailure = now;
    if (account.failures >= this.opts.free) {
      const next = now + this.delay(account.failures - this.opts.free + 1);
      account.nextAt = Math.max(account.nextAt, next);
    }
  }

  /** Accounts currently remembered. */
  get size(): number {
    return this.accounts.size;
  }
}
