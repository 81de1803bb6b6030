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

export class WriteBatcher extends BatchQueue<() => void> {
  readonly #runInTransaction: TransactionRunner;

  constructor(runInTransaction: TransactionRunner, options?: WriteBatcherOptions) {
    super(options);
    this.#runInTransaction = runInTransaction;
  }

  protected startFlush(): void {
    this.flush();
  }

  /** Commits everything queued so far, synchronously. Failures go to the writes' promises. */
  flush(): void {
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    try {
      this.#runInTransaction(() => {
        for (const write of batch) write.run();
      });
    } catch (error) {
      if (batch.length === 1) this.writeFailed(batch[0]!, error);
      else this.#retryOneByOne(batch);
      return;
    }
    this.batchCommitted(batch);
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
