import { BatchQueue, type QueuedWrite, type WriteBatcherOptions } from '../batch-queue.js';

/** One queued write: runs its statements on the batch's transaction. */
export type AsyncWrite<Tx> = (tx: Tx) => Promise<void>;

/** Runs `work` inside one transaction on one connection; rejects (after ROLLBACK) if it failed. */
export type AsyncTransactionRunner<Tx> = (work: (tx: Tx) => Promise<void>) => Promise<void>;

/**
 * Group commit for a network database (PostgreSQL, MariaDB): see ../batch-queue.ts for why.
 *
 * Batches run one after another, never two at once: while one commits, the next one fills up, and
 * reads that `flush()` first are ordered after every write queued before them (read-your-writes).
 */
/**
 * Turns a batch's writes into the ones to run in its transaction, e.g. one multi-row INSERT for a
 * run of history records: one statement instead of hundreds of round trips. Only the whole batch
 * is planned; a failed batch is retried write by write, unplanned.
 */
export type BatchPlanner<Tx> = (writes: AsyncWrite<Tx>[]) => AsyncWrite<Tx>[];

export class AsyncWriteBatcher<Tx> extends BatchQueue<AsyncWrite<Tx>> {
  readonly #runInTransaction: AsyncTransactionRunner<Tx>;
  readonly #plan: BatchPlanner<Tx>;
  /** Settles when the last batch handed over has been committed or failed; never rejects. */
  #tail: Promise<void> = Promise.resolve();

  constructor(
    runInTransaction: AsyncTransactionRunner<Tx>,
    options?: WriteBatcherOptions,
    plan: BatchPlanner<Tx> = (writes) => writes,
  ) {
    super(options);
    this.#runInTransaction = runInTransaction;
    this.#plan = plan;
  }

  protected startFlush(): void {
    void this.flush();
  }

  /**
   * Commits what is queued now, after the batches already under way. Resolves once all of them have
   * settled (failures go to the writes' promises, never to this one).
   */
  flush(): Promise<void> {
    const batch = this.takeBatch();
    if (batch.length > 0) this.#tail = this.#tail.then(() => this.#commit(batch));
    return this.#tail;
  }

  /** Refuses further writes and commits what is queued. */
  async close(): Promise<void> {
    this.markClosed();
    await this.flush();
  }

  async #commit(batch: QueuedWrite<AsyncWrite<Tx>>[]): Promise<void> {
    const started = performance.now();
    try {
      const planned = batch.length === 1 ? [batch[0]!.run] : this.#plan(batch.map((w) => w.run));
      await this.#runInTransaction(async (tx) => {
        for (const run of planned) await run(tx);
      });
    } catch (error) {
      if (batch.length === 1) this.writeFailed(batch[0]!, error);
      else await this.#retryOneByOne(batch);
      return;
    }
    this.batchCommitted(batch, started);
  }

  async #retryOneByOne(batch: QueuedWrite<AsyncWrite<Tx>>[]): Promise<void> {
    this.statistics.retriedBatches++;
    for (const write of batch) {
      try {
        await this.#runInTransaction(write.run);
      } catch (error) {
        this.writeFailed(write, error);
        continue;
      }
      this.writeCommitted(write);
    }
  }
}
