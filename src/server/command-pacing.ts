import type { ServerConfig } from '../config/config.js';
import { type Connection, READ_PAUSE } from './connection.js';
import { RefusalPacer } from './refusal-pacer.js';

/** The longest a connection's reading is paused at once for refused commands (what it owes beyond is forgiven). */
export const MAX_REFUSAL_PAUSE_MS = 30_000;

/**
 * One of the client's commands was refused by the server itself (busy, vehicle not connected,
 * lacking a right, malformed): it counts against `limits.refused_commands_per_second` and
 * `limits.refused_commands_burst`, and past them the client's socket is not read for a while (see
 * RefusalPacer). The first pause of a connection is logged.
 */
export function commandRefused(conn: Connection, limits: ServerConfig['limits']): void {
  // Messages read before a close are still handled: a closed connection needs no pacing.
  if (conn.state === 'closed') return;
  conn.refusalPacer ??= new RefusalPacer(
    {
      perSecond: limits.refusedCommandsPerSecond,
      burst: limits.refusedCommandsBurst,
      maxPauseMs: MAX_REFUSAL_PAUSE_MS,
    },
    {
      pause: () => conn.pauseReading(READ_PAUSE.refusals),
      resume: () => conn.resumeReading(READ_PAUSE.refusals),
    },
  );
  if (conn.refusalPacer.refused() && conn.refusalPacer.pauses === 1) {
    conn.log.warn(
      {
        client: conn.label,
        perSecond: limits.refusedCommandsPerSecond,
        burst: limits.refusedCommandsBurst,
      },
      'reading paused: too many refused commands (limits.refused_commands_per_second)',
    );
  }
}
