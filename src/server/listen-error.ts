/** The server's listeners, by the name start-up errors and logs use for them. */
export type ListenerName = 'v2' | 'v2tls' | 'http' | 'https' | 'metrics';

/**
 * A listener could not open its port: which listener, on which address and port, and the system's
 * reason (`code`: EADDRINUSE, EACCES, EADDRNOTAVAIL, ...). The command line turns it into one
 * sentence for the operator (cli/startup-errors.ts).
 */
export class ListenError extends Error {
  readonly code: string;
  constructor(
    readonly listener: ListenerName,
    readonly port: number,
    readonly host: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`the ${listener} listener cannot listen on ${host} port ${port}: ${reason}`, { cause });
    this.name = 'ListenError';
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'UNKNOWN';
  }
}

/** Runs `open` (a listen call); its failure becomes a ListenError naming the listener. */
export async function listenAs<T>(
  listener: ListenerName,
  port: number,
  host: string,
  open: () => Promise<T>,
): Promise<T> {
  try {
    return await open();
  } catch (error) {
    throw new ListenError(listener, port, host, error);
  }
}
