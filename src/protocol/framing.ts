/**
 * Line framing on raw bytes (WIRE.md §1): a line ends at LF, one CR right before the LF is dropped,
 * empty lines are skipped, and a line longer than the limit is an error. Bytes are never decoded as
 * text here: re-encoding would change byte counts and break the RC4 streams.
 */

export const CRLF = Buffer.from('\r\n', 'latin1');

/** Cars send S, F, h and c7 lines of several hundred bytes up to KBs; accept at least 16 KiB. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

export class LineTooLongError extends Error {
  readonly code = 'OVMS_ERR_LINE_TOO_LONG';
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
    this.name = 'LineTooLongError';
  }
}

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private failed = false;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    readonly maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  ) {}

  /** Bytes received but not yet terminated by LF. */
  get buffered(): number {
    return this.pendingLength;
  }

  /**
   * Feeds received bytes; calls onLine for each complete non-empty line (terminator removed).
   * Returns a LineTooLongError once a line exceeds the limit; the splitter then refuses more input.
   */
  push(chunk: Buffer): LineTooLongError | undefined {
    if (this.failed) return new LineTooLongError(this.maxLineLength);
    let start = 0;
    for (;;) {
      const lf = chunk.indexOf(0x0a, start);
      if (lf < 0) break;
      let line: Buffer;
      if (this.pendingLength > 0) {
        this.pending.push(chunk.subarray(start, lf));
        line = Buffer.concat(this.pending, this.pendingLength + lf - start);
        this.pending = [];
        this.pendingLength = 0;
      } else {
        line = chunk.subarray(start, lf);
      }
      start = lf + 1;
      if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
      if (line.length > this.maxLineLength) return this.fail();
      if (line.length > 0) this.onLine(line);
      // The consumer may have ended the connection inside onLine; stop delivering if so.
      if (this.failed) return undefined;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pendingLength += rest.length;
      // +1: the limit applies to the line without its CR, which may still be pending.
      if (this.pendingLength > this.maxLineLength + 1) return this.fail();
      this.pending.push(rest);
    }
    return undefined;
  }

  /** Drops anything buffered and ignores further input (used when a connection closes). */
  stop(): void {
    this.failed = true;
    this.pending = [];
    this.pendingLength = 0;
  }

  private fail(): LineTooLongError {
    this.stop();
    return new LineTooLongError(this.maxLineLength);
  }
}

/** Appends CR LF, the terminator every sender in this project uses. */
export function frameLine(line: string | Uint8Array): Buffer {
  const body = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const out = Buffer.allocUnsafe(body.length + 2);
  out.set(body, 0);
  out[body.length] = 0x0d;
  out[body.length + 1] = 0x0a;
  return out;
}
