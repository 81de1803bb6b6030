/**
 * When the simulated module sends what (WIRE.md §2.5, §6), in simulated seconds: S+D every
 * `idle` seconds with no apps and every `connected` seconds while the server's Z is above 0 (then
 * with L, Y and W when they changed), S+D at once after a change only while apps watch, L
 * streaming while driving, and delayed command answers. Pure bookkeeping; the simulator sends.
 */
export interface Due {
  /** Send S and D. */
  statusAndEnvironment: boolean;
  /** Also send L, Y and W if they changed (periodic update with apps connected). */
  extras: boolean;
  /** Send L if it changed (streaming). */
  location: boolean;
  /** `c` payloads whose time has come. */
  replies: string[];
}

export class SendSchedule {
  private peers = 0;
  private nextPeriodic: number;
  private nextStream = 0;
  private changed = false;
  private followUps: { at: number; reply: string }[] = [];

  constructor(
    private readonly intervals: { idle: number; connected: number },
    now: number,
  ) {
    this.nextPeriodic = now + intervals.idle;
  }

  get appsConnected(): boolean {
    return this.peers > 0;
  }

  /** Records the server's Z; returns true when it rose, which is v3's cue for a full set. */
  setPeers(count: number, now: number): boolean {
    const rose = count > this.peers;
    this.peers = count;
    if (count > 0) this.nextPeriodic = Math.min(this.nextPeriodic, now + this.intervals.connected);
    return rose;
  }

  /** A reboot forgets the peer count, so the first Z after it counts as a rise. */
  resetPeers(): void {
    this.peers = 0;
  }

  markChanged(): void {
    this.changed = true;
  }

  addFollowUp(at: number, reply: string): void {
    this.followUps.push({ at, reply });
  }

  /** A full set went out: nothing is pending, and the next periodic update is a full interval away. */
  fullSetSent(now: number): void {
    this.changed = false;
    this.nextPeriodic = now + this.interval();
  }

  due(now: number, streamSeconds: number, driving: boolean): Due {
    const connected = this.peers > 0;
    const due: Due = { statusAndEnvironment: false, extras: false, location: false, replies: [] };
    if (this.changed && connected) {
      due.statusAndEnvironment = true;
      this.changed = false;
    }
    if (now >= this.nextPeriodic) {
      due.statusAndEnvironment = true;
      due.extras = connected;
      this.changed = false;
      this.nextPeriodic = now + this.interval();
    }
    if (connected && driving && streamSeconds > 0 && now >= this.nextStream) {
      due.location = true;
      this.nextStream = now + streamSeconds;
    }
    due.replies = this.followUps.filter((f) => now >= f.at).map((f) => f.reply);
    this.followUps = this.followUps.filter((f) => now < f.at);
    return due;
  }

  private interval(): number {
    return this.peers > 0 ? this.intervals.connected : this.intervals.idle;
  }
}
