/**
 * The queue behind group commit, shared by the synchronous (SQLite) and asynchronous (PostgreSQL,
 * MariaDB) write batchers.
 *
 * Cars send history records in bursts and the server may only ack them once they are durable. One
 * transaction per record would cap a back-end at a few hundred records a second; instead queued
 * writes run together in one transaction, committed at most `maxDelayMs` after the first was queued
 * or as soon as `maxItems` are waiting. Each write's promise resolves only after its COMMIT. If a
 * batch fails, its writes are retried one transaction each, so one bad write (say, for a vehicle
 * deleted meanwhile) rejects alone instead of taking the rest of the batch with it.
 *
 * This class keeps the queue, the timer, the statistics and the closed state; a subclass decides how
 * a batch is run (synchronously or not) and calls `committed` / `failed` with the outcome.
 */

export interface WriteBatcherOptions {
  /**
   * Longest a queued write waits before its batch is committed, in ms (default 5); SQLite stretches
   * it while its commits are slow (sqlite/write-batcher.ts).
   */
  maxDelayMs?: number;
  /** Commit as soon as this many writes are queued (default 1000). */
  maxItems?: number;
}

export interface WriteBatcherStats {
  /** Transactions that committed a whole batch. */
  batches: number;
  /** Writes committed (in batches or on retry). */
  committed: number;
  /** Writes rejected after their retry failed. */
  failed: number;
  /** Batches that failed and were retried write by write. */
  retriedBatches: number;
}

/** Told of each batch committed whole in one transaction (the metrics' store histograms). */
export interface WriteObserver {
  /** `size` writes; the first of them waited `waitedMs` before its transaction, which took `commitMs`. */
  batch(size: number, waitedMs: number, commitMs: number): void;
}

export interface QueuedWrite<Run> {
  run: Run;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WriteBatcherClosedError extends Error {
  constructor() {
    super('the store is closed; no more writes are accepted');
    this.name = 'WriteBatcherClosedError';
  }
}

export abstract class BatchQueue<Run> {
  readonly #maxDelayMs: number;
  readonly #maxItems: number;
  #queue: QueuedWrite<Run>[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** See WriteObserver (one per node's metrics; in-process nodes share a store); while there is one, a batch's first write notes when it was queued. */
  readonly #observers = new Set<WriteObserver>();
  #firstQueuedAt = 0;
  readonly #batchQueuedAt = new WeakMap<QueuedWrite<Run>[], number>();
  protected readonly statistics: WriteBatcherStats = {
    batches: 0,
    committed: 0,
    failed: 0,
    retriedBatches: 0,
  };

  constructor(options: WriteBatcherOptions = {}) {
    const maxDelayMs = options.maxDelayMs ?? 5;
    const maxItems = options.maxItems ?? 1000;
    if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) throw new RangeError('maxDelayMs must be >= 0');
    if (!Number.isInteger(maxItems) || maxItems < 1) throw new RangeError('maxItems must be an integer >= 1');
    this.#maxDelayMs = maxDelayMs;
    this.#maxItems = maxItems;
  }

  /** Tells `observer` of every batch committed whole from now on; returns what stops it. */
  observe(observer: WriteObserver): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** Writes queued and not yet handed to a transaction. */
  get pending(): number {
    return this.#queue.length;
  }

  get stats(): Readonly<WriteBatcherStats> {
    return { ...this.statistics };
  }

  protected get closed(): boolean {
    return this.#closed;
  }

  /** How long the first write of a batch waits for others (`maxDelayMs` unless a subclass says otherwise). */
  protected delayMs(maxDelayMs: number): number {
    return maxDelayMs;
  }

  /** Starts committing what is queued (called when the timer fires or the queue is full). */
  protected abstract startFlush(): void;

  /**
   * Queues `run` for the next batch. It is queued synchronously, so anything that flushes afterwards
   * (reads do) sees it. The promise settles after the batch's COMMIT.
   */
  enqueue(run: Run): Promise<void> {
    if (this.#closed) return Promise.reject(new WriteBatcherClosedError());
    return new Promise<void>((resolve, reject) => {
      if (this.#observers.size > 0 && this.#queue.length === 0) this.#firstQueuedAt = performance.now();
      this.#queue.push({ run, resolve, reject });
      if (this.#queue.length >= this.#maxItems) {
        this.startFlush();
      } else if (this.#timer === undefined) {
        // Deliberately not unref()'d: a process that is about to exit should still commit what it
        // queued (it is at most maxDelayMs away).
        this.#timer = setTimeout(() => this.startFlush(), this.delayMs(this.#maxDelayMs));
      }
    });
  }

  /** Hands the queued writes to the caller, which must settle every one of them. */
  protected takeBatch(): QueuedWrite<Run>[] {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#queue;
    this.#queue = [];
    if (this.#observers.size > 0 && batch.length > 0) this.#batchQueuedAt.set(batch, this.#firstQueuedAt);
    return batch;
  }

  protected markClosed(): void {
    this.#closed = true;
  }

  /** The whole batch committed in one transaction, which began at `startedAt` (performance.now()). */
  protected batchCommitted(batch: QueuedWrite<Run>[], startedAt: number): void {
    const queuedAt = this.#batchQueuedAt.get(batch);
    if (queuedAt !== undefined) {
      const commitMs = performance.now() - startedAt;
      for (const o of this.#observers) o.batch(batch.length, startedAt - queuedAt, commitMs);
    }
    this.statistics.batches++;
    this.statistics.committed += batch.length;
    for (const write of batch) write.resolve();
  }

  /** One write's own transaction (a retry) committed. */
  protected writeCommitted(write: QueuedWrite<Run>): void {
    this.statistics.committed++;
    write.resolve();
  }

  /** One write failed on its own (a retry, or a batch of one): its promise rejects. */
  protected writeFailed(write: QueuedWrite<Run>, error: unknown): void {
    this.statistics.failed++;
    write.reject(error);
  }
}
