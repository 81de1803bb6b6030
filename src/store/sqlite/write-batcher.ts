/**
 * Group commit for a synchronous database driver.
 *
 * Cars send history records in bursts and the server may only ack them once they are durable. One
 * transaction (one fsync with synchronous=FULL) per record would cap us at a few hundred records a
 * second; instead queued writes run together in one transaction, committed at most `maxDelayMs` after
 * the first was queued or as soon as `maxItems` are waiting.
 *
 * Each write's promise resolves only after its COMMIT. If the batch fails, its writes are retried one
 * transaction each, so one bad write (say, for a vehicle deleted meanwhile) rejects alone instead of
 * taking the rest of the batch with it.
 *
 * The batcher knows nothing about SQL: it is handed a function that runs work inside a transaction
 * and throws if the transaction failed (after rolling it back).
 */

export type TransactionRunner = (work: () => void) => void;

export interface WriteBatcherOptions {
  /** Longest a queued write waits before its batch is committed, in ms (default 5). */
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

interface QueuedWrite {
  run: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WriteBatcherClosedError extends Error {
  constructor() {
    super('the store is closed; no more writes are accepted');
    this.name = 'WriteBatcherClosedError';
  }
}

export class WriteBatcher {
  readonly #runInTransaction: TransactionRunner;
  readonly #maxDelayMs: number;
  readonly #maxItems: number;
  #queue: QueuedWrite[] = [];
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #stats: WriteBatcherStats = { batches: 0, committed: 0, failed: 0, retriedBatches: 0 };

  constructor(runInTransaction: TransactionRunner, options: WriteBatcherOptions = {}) {
    const maxDelayMs = options.maxDelayMs ?? 5;
    const maxItems = options.maxItems ?? 1000;
    if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) throw new RangeError('maxDelayMs must be >= 0');
    if (!Number.isInteger(maxItems) || maxItems < 1) throw new RangeError('maxItems must be an integer >= 1');
    this.#runInTransaction = runInTransaction;
    this.#maxDelayMs = maxDelayMs;
    this.#maxItems = maxItems;
  }

  /** Writes queued and not yet committed. */
  get pending(): number {
    return this.#queue.length;
  }

  get stats(): Readonly<WriteBatcherStats> {
    return { ...this.#stats };
  }

  /**
   * Queues `run` for the next batch. It is queued synchronously, so anything that flushes afterwards
   * (reads do) sees it. The promise settles after the batch's COMMIT.
   */
  enqueue(run: () => void): Promise<void> {
    if (this.#closed) return Promise.reject(new WriteBatcherClosedError());
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ run, resolve, reject });
      if (this.#queue.length >= this.#maxItems) {
        this.flush();
      } else if (this.#timer === undefined) {
        // Deliberately not unref()'d: a process that is about to exit should still commit what it
        // queued (it is at most maxDelayMs away).
        this.#timer = setTimeout(() => this.flush(), this.#maxDelayMs);
      }
    });
  }

  /** Commits everything queued so far, synchronously. Failures go to the writes' promises. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    try {
      this.#runInTransaction(() => {
        for (const write of batch) write.run();
      });
    } catch (error) {
      if (batch.length === 1) {
        this.#stats.failed++;
        batch[0]?.reject(error);
      } else {
        this.#retryOneByOne(batch);
      }
      return;
    }
    this.#stats.batches++;
    this.#stats.committed += batch.length;
    for (const write of batch) write.resolve();
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.#closed = true;
  }

  #retryOneByOne(batch: QueuedWrite[]): void {
    this.#stats.retriedBatches++;
    for (const write of batch) {
      try {
        this.#runInTransaction(write.run);
      } catch (error) {
        this.#stats.failed++;
        write.reject(error);
        continue;
      }
      this.#stats.committed++;
      write.resolve();
    }
  }
}
