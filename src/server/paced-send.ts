import type { Connection } from './connection.js';

/**
 * Queued bytes above which a long answer waits for the client to read: a quarter of
 * `limits.output_buffer`, so even a line of the longest length on top stays well under the limit
 * that drops a client that does not read.
 */
export function pacingThreshold(outputBuffer: number): number {
  return Math.floor(outputBuffer / 4);
}

/**
 * Sends lines as fast as the client reads them: after each line, while more than `threshold` bytes
 * are queued, it waits for the queue to drain. The lines are pulled one at a time, so a reader of
 * the store behind them reads its next page only when this one has gone out. Stops (ending the
 * source) when the connection closes.
 */
export async function sendPaced(
  conn: Connection,
  code: string,
  lines: AsyncIterable<Buffer>,
  threshold: number,
): Promise<void> {
  for await (const line of lines) {
    if (closed(conn)) return;
    conn.send(code, line);
    while (conn.link.queuedBytes > threshold && !closed(conn)) await conn.link.whenDrained();
  }
}

function closed(conn: Connection): boolean {
  return conn.state === 'closed';
}
