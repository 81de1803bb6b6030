import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import type { Logger } from 'pino';

/** Whether the process can open one more file descriptor: 'ok', or the error code that says why not. */
export function probeDescriptor(): 'ok' | string {
  try {
    closeSync(openSync(devNull, 'r'));
    return 'ok';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'unknown';
  }
}

/**
 * Notices when the process runs out of file descriptors. Node never says so: when accept() fails
 * with EMFILE or ENFILE, libuv accepts and closes the waiting connections with a descriptor it
 * keeps in reserve, and no event reaches the server. So the connection sweep probes instead: if
 * opening one descriptor fails with EMFILE/ENFILE, new connections are being refused. Logged at
 * error level at most once a minute while it lasts, and once (info) when it is over.
 */
export class DescriptorWatch {
  private exhaustedSince = 0;
  private lastLogged = 0;

  constructor(
    private readonly log: Logger,
    private readonly probe: () => string = probeDescriptor,
    private readonly now: () => number = Date.now,
  ) {}

  /** `sockets`: the protocol sockets open now, for the log line. */
  check(sockets: number): void {
    const result = this.probe();
    const now = this.now();
    if (result === 'EMFILE' || result === 'ENFILE') {
      if (this.exhaustedSince === 0) this.exhaustedSince = now;
      if (now - this.lastLogged >= 60_000) {
        this.lastLogged = now;
        this.log.error(
          { code: result, protocolSockets: sockets, sinceS: Math.round((now - this.exhaustedSince) / 1000) },
          'accept failing: out of file descriptors, new connections are refused (raise the limit, e.g. ulimit -n, or lower limits.max_connections)',
        );
      }
      return;
    }
    if (this.exhaustedSince !== 0) {
      this.log.info(
        { protocolSockets: sockets, lastedS: Math.round((now - this.exhaustedSince) / 1000) },
        'file descriptors available again',
      );
      this.exhaustedSince = 0;
      this.lastLogged = 0;
    }
  }
}
