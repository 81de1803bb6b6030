import type { Logger } from 'pino';
import type { RecordingSettings, VehicleRecorder } from '../recording/vehicle-recorder.js';
import type { RecordingBatch, Store, VehicleRef } from '../store/store.js';
import type { ObservedCarMessage } from './car-message-observers.js';
import { type Hub, vehicleKey } from './hub.js';
import { backfillAll, resumeRecorder } from './recording-backfill.js';

/**
 * Records trips, charges, parking periods and the sampled series (src/recording) of the cars
 * connected to this node, from the hub's car-message observers (each message seen once, on the car's
 * node; v3 cars come through the same hub). Per message it only updates one vehicle's recorder in
 * memory; what the recorders produce is written every FLUSH_MS in one transaction
 * (`Store.saveRecording`), with the state of each vehicle that changed, so a restart (or the car
 * moving to another node) resumes from the store.
 */

/** How often recorded rows are written. */
const FLUSH_MS = 2000;
/** A batch this big is written at once. */
const MAX_BATCH_ROWS = 5000;
/** Messages kept while a vehicle's stored state loads (a burst at login); older ones are dropped. */
const MAX_WAITING = 200;
/** A vehicle silent this long leaves memory (its state is in the store). */
const IDLE_EVICT_MS = 3_600_000;
/** The codes the recorder reads: status, environment, location and the module's log records. */
export const RECORDED_CODES: ReadonlySet<string> = new Set(['S', 'D', 'L', 'H']);

interface Entry {
  ref: VehicleRef;
  recorder?: VehicleRecorder;
  /** Messages that arrived while the state loads. */
  waiting?: ObservedCarMessage[];
  dirty: boolean;
  lastAt: number;
  /** Per code: when a message of it was last applied, and the newest one held back since. */
  appliedAt: Partial<Record<string, number>>;
  held: Partial<Record<string, ObservedCarMessage>>;
  /** How many codes have a message held. */
  heldCount: number;
}

/**
 * A car that sends a code faster than this has only its newest message of that code applied in each
 * interval (the rest is held and replaced): the recorder's cost per vehicle stays bounded whatever the
 * rate (real cars send S, D and L every few seconds at most; a relay benchmark sends thousands).
 * What is held is applied at the next flush, or before the next message applied (so messages are
 * always applied in the order they came); the next message of its own code replaces it.
 */
const MIN_APPLY_MS = 1000;

/** The bus claim held by the node back-filling (one at a time across nodes). */
export const BACKFILL_CLAIM = 'recording:backfill';

export function recordingSettings(config: Hub['config']): RecordingSettings {
  return { sampleMs: config.history.sampleInterval, idleSampleMs: config.history.idleSampleInterval };
}

export class RecordingService {
  readonly #hub: Hub;
  readonly #log: Logger;
  readonly #settings: RecordingSettings;
  readonly #entries = new Map<string, Entry>();
  #batch: RecordingBatch = { samples: [], periods: [], states: [] };
  #rows = 0;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #writing: Promise<void> = Promise.resolve();
  #stopped = false;
  #backfill: Promise<void> = Promise.resolve();
  /** Stored states being read. */
  readonly #loads = new Set<Promise<void>>();

  constructor(hub: Hub) {
    this.#hub = hub;
    this.#log = hub.log.child({ component: 'recording' });
    this.#settings = recordingSettings(hub.config);
  }

  /** Off with history.recording = false, and in Perl mode (the Perl schema has no place for it). */
  get enabled(): boolean {
    return this.#hub.config.history.recording && this.#hub.store.kind !== 'perl-mysql';
  }

  get store(): Store {
    return this.#hub.store;
  }

  start(): void {
    if (!this.enabled) return;
    this.#unsubscribe = this.#hub.carMessages.add((m) => this.#onCarMessage(m));
    this.#timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.#timer.unref();
    this.#backfill = this.#backfillOnOneNode();
  }

  /**
   * Several nodes share one database: the node that takes the claim back-fills, the others leave it
   * (each would replay the same history into the same rows). A node that stops or dies midway lets
   * the claim go; what it left is done at the next start, as after any interruption.
   */
  async #backfillOnOneNode(): Promise<void> {
    const bus = this.#hub.bus;
    let claimed: boolean;
    try {
      claimed = await bus.claim(BACKFILL_CLAIM);
    } catch (err) {
      this.#log.error(
        { err },
        'recording: back-fill not started (the bus did not answer); it runs at the next start',
      );
      return;
    }
    if (!claimed) {
      this.#log.info('recording: another node is back-filling stored history');
      return;
    }
    try {
      await backfillAll(this.#hub.store, this.#settings, this.#log, () => this.#stopped);
    } finally {
      await bus.release(BACKFILL_CLAIM).catch(() => {});
    }
  }

  /** Settles when the back-fill begun at start is over (tests, shutdown). */
  get backfilled(): Promise<void> {
    return this.#backfill;
  }

  /** Writes what is pending; later messages are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    clearInterval(this.#timer);
    await this.#backfill;
    await this.flush();
  }

  /** The owner changed a vehicle's usable capacity: take it up now (the next load reads it otherwise). */
  capacityChanged(ref: VehicleRef, capacityKwh: number | undefined): void {
    this.#entries.get(vehicleKey(ref))?.recorder?.setCapacity(capacityKwh);
  }

  /** Writes the rows and changed states gathered so far (states still loading first), after the previous write. */
  async flush(): Promise<void> {
    if (this.#loads.size > 0) await Promise.all(this.#loads);
    const now = Date.now();
    for (const entry of this.#entries.values()) if (entry.recorder) this.#applyHeld(entry);
    for (const [key, entry] of this.#entries) {
      if (entry.dirty && entry.recorder) {
        this.#batch.states.push({
          ref: entry.ref,
          state: JSON.stringify(entry.recorder.state),
          at: entry.lastAt,
        });
        entry.dirty = false;
      } else if (entry.recorder && now - entry.lastAt > IDLE_EVICT_MS) {
        this.#entries.delete(key);
      }
    }
    const batch = this.#batch;
    this.#batch = { samples: [], periods: [], states: [] };
    this.#rows = 0;
    if (batch.samples.length + batch.periods.length + batch.states.length === 0) return this.#writing;
    this.#writing = this.#writing.then(() =>
      this.#hub.store.saveRecording(batch).catch((err: Error) => {
        this.#log.error({ err, samples: batch.samples.length }, 'recorded rows not written');
      }),
    );
    return this.#writing;
  }

  #onCarMessage(m: ObservedCarMessage): void {
    if (this.#stopped || !RECORDED_CODES.has(m.code)) return;
    const key = vehicleKey(m.ref);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = {
        ref: m.ref,
        waiting: [],
        dirty: false,
        lastAt: m.time.getTime(),
        appliedAt: {},
        held: {},
        heldCount: 0,
      };
      this.#entries.set(key, entry);
      const load = this.#load(entry).finally(() => this.#loads.delete(load));
      this.#loads.add(load);
    }
    if (entry.waiting) {
      if (entry.waiting.length >= MAX_WAITING) entry.waiting.shift();
      entry.waiting.push(m);
      return;
    }
    const at = m.time.getTime();
    const last = entry.appliedAt[m.code];
    if (m.code !== 'H' && last !== undefined && at - last < MIN_APPLY_MS && at >= last) {
      if (entry.held[m.code] === undefined) entry.heldCount++;
      entry.held[m.code] = m;
      return;
    }
    if (entry.held[m.code] !== undefined) {
      entry.held[m.code] = undefined; // replaced by m
      entry.heldCount--;
    }
    if (entry.heldCount > 0) this.#applyHeld(entry); // older than m: applied first
    this.#apply(entry, m);
  }

  /** Applies the messages held back, oldest first. */
  #applyHeld(entry: Entry): void {
    if (entry.heldCount === 0) return;
    const held = Object.values(entry.held).filter((m) => m !== undefined);
    entry.held = {};
    entry.heldCount = 0;
    held.sort((a, b) => a.time.getTime() - b.time.getTime());
    for (const m of held) this.#apply(entry, m);
  }

  async #load(entry: Entry): Promise<void> {
    let stored: Awaited<ReturnType<Store['getRecordingVehicle']>>;
    try {
      stored = await this.#hub.store.getRecordingVehicle(entry.ref);
    } catch (err) {
      this.#log.error(
        { err, vehicle: entry.ref.vehicleId },
        'recorder state not read; recording starts afresh',
      );
    }
    entry.recorder = resumeRecorder(this.#settings, stored, this.#log);
    const waiting = entry.waiting ?? [];
    entry.waiting = undefined;
    for (const m of waiting) this.#apply(entry, m);
  }

  #apply(entry: Entry, m: ObservedCarMessage): void {
    const at = m.time.getTime();
    entry.lastAt = at;
    entry.appliedAt[m.code] = at;
    const out = entry.recorder!.apply(m.code, m.payload.toString('latin1'), at);
    if (out.samples.length === 0 && out.periods.length === 0) return;
    entry.dirty = true;
    for (const sample of out.samples) this.#batch.samples.push({ ref: entry.ref, sample });
    for (const period of out.periods) this.#batch.periods.push({ ref: entry.ref, period });
    this.#rows += out.samples.length + out.periods.length;
    if (this.#rows >= MAX_BATCH_ROWS) void this.flush();
  }
}
