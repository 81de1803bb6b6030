import { BatchQueue, type QueuedWrite, type WriteBatcherOptions } from '../batch-queue.js';

export type { WriteBatcherOptions, WriteBatcherStats } from '../batch-queue.js';
export { WriteBatcherClosedError } from '../batch-queue.js';

/**
 * Group commit for a synchronous database driver (better-sqlite3): see ../batch-queue.ts for why.
 * A batch runs inside one synchronous transaction, so `flush()` has committed it when it returns.
 *
 * The batcher knows nothing about SQL: it is handed a function that runs work inside a transaction
 * and throws if the transaction failed (after rolling it back).
 */

export type TransactionRunner = (work: () => void) => void;

/** Commits may take at most about 1 / (1 + COMMIT_SPACING) of the time: see `delayMs`. */
const COMMIT_SPACING = 9;
/** The longest a slow disk may stretch the wait of a batch, in ms. */
const MAX_STRETCHED_DELAY_MS = 50;

export class WriteBatcher extends BatchQueue<() => void> {
  readonly #runInTransaction: TransactionRunner;

  constructor(runInTransaction: TransactionRunner, options?: WriteBatcherOptions) {
    super(options);
    this.#runInTransaction = runInTransaction;
  }

  /** How long the last batch's transaction took (its COMMIT waits for the disk), in ms. */
  #lastCommitMs = 0;

  protected startFlush(): void {
    this.flush();
  }

  /**
   * A COMMIT blocks the event loop until the disk has the batch (an fsync: a fraction of a
   * millisecond on a quiet SSD, several on a busy or virtual disk). Committed every `maxDelayMs`
   * whatever that costs, a slow disk would stop the server for most of each period: relays, logins,
   * everything. So when the last commit took longer than a ninth of `maxDelayMs`, the next batch
   * waits `COMMIT_SPACING` times that long instead (at most MAX_STRETCHED_DELAY_MS): commits then
   * take at most about a tenth of the time (more when the cap is reached), and each gathers more
   * writes. Reads, `flush()` and a full queue still commit at once.
   */
  protected override delayMs(maxDelayMs: number): number {
    const stretched = Math.min(MAX_STRETCHED_DELAY_MS, COMMIT_SPACING * this.#lastCommitMs);
    return Math.max(maxDelayMs, stretched);
  }

  /** Commits everything queued so far, synchronously. Failures go to the writes' promises. */
  flush(): void {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    const started = performance.now();
    try {
      this.#runInTransaction(() => {
        for (const write of batch) write.run();
      });
      this.#lastCommitMs = performance.now() - started;
    } catch (error) {
      if (batch.length === 1) this.writeFailed(batch[0]!, error);
      else this.#retryOneByOne(batch);
      return;
    }
    this.batchCommitted(batch, started);
  }

  /** Commits what is queued and refuses further writes. */
  close(): void {
    this.flush();
    this.markClosed();
  }

  #retryOneByOne(batch: QueuedWrite<() => void>[]): void {
    this.statistics.retriedBatches++;
    for (const write of batch) {
      try {
        this.#runInTransaction(write.run);
      } catch (error) {
        this.writeFailed(write, error);
        continue;
      }
      this.writeCommitted(write);
    }
  }
}
