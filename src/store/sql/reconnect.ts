/**
 * Riding out a database restart or a killed connection. The pools drop a broken connection and open
 * a new one on the next use; what is left is the statement that met the broken connection. It is
 * tried again, after a short pause that grows, when it certainly did not take effect: a statement
 * that failed on a connection error outside a transaction (the database never answered it), or a
 * transaction that failed before its COMMIT was sent (the database rolled it back). A COMMIT whose
 * answer was lost is not repeated: the caller gets the error.
 */
export interface ReconnectOptions {
  /** Tries in all (default 6). */
  attempts?: number;
  /** Pause before the second try, in ms; each later pause is one step longer (default 250). */
  delayMs?: number;
}

export async function retryOnConnectionLoss<T>(
  run: () => Promise<T>,
  isConnectionError: (error: unknown) => boolean,
  options: ReconnectOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const delayMs = options.delayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isConnectionError(error) || isUncertainCommit(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * attempt));
    }
  }
}

/** Marks an error raised while a COMMIT was under way: whether it took effect is unknown. */
export class UncertainCommitError extends Error {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `the connection was lost during COMMIT; the transaction may or may not have been applied (${reason})`,
      {
        cause,
      },
    );
    this.name = 'UncertainCommitError';
  }
}

function isUncertainCommit(error: unknown): boolean {
  return error instanceof UncertainCommitError;
}

/**
 * BEGIN, `work`, then COMMIT on one connection, or ROLLBACK if `work` throws. A COMMIT that fails on
 * a lost connection becomes an UncertainCommitError, which retryOnConnectionLoss does not repeat.
 */
export async function runTransaction<Tx extends { query(sql: string): Promise<unknown> }, T>(
  tx: Tx,
  begin: string,
  work: (tx: Tx) => Promise<T>,
  isConnectionError: (error: unknown) => boolean,
): Promise<T> {
  await tx.query(begin);
  let result: T;
  try {
    result = await work(tx);
  } catch (error) {
    await tx.query('ROLLBACK').catch(() => {});
    throw error;
  }
  try {
    await tx.query('COMMIT');
  } catch (error) {
    throw isConnectionError(error) ? new UncertainCommitError(error) : error;
  }
  return result;
}
