import type { PreparedMessage } from '../prepared-writes.js';
import { type MessageRow, toMessage } from '../rows.js';
import type { StoredMessage, VehicleRef } from '../store.js';
import { refParams } from '../values.js';
import type { SqliteContext } from './sqlite-context.js';

/** Upsert of the latest message of its code; a fresh message is always valid again. */
export function writeMessage(ctx: SqliteContext, m: PreparedMessage): void {
  ctx
    .statement(
      `INSERT INTO messages (owner_id, vehicle_id, code, payload, time_s, paranoid, ptoken, valid)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1)
       ON CONFLICT (owner_id, vehicle_id, code) DO UPDATE SET payload = excluded.payload,
         time_s = excluded.time_s, paranoid = excluded.paranoid, ptoken = excluded.ptoken, valid = 1`,
    )
    .run(m.ownerId, m.vehicleId, m.code, m.payload, m.timeS, m.paranoid, m.ptoken);
  ctx
    .statement('UPDATE vehicles SET last_update_s = ? WHERE owner_id = ? AND vehicle_id = ?')
    .run(m.timeS, m.ownerId, m.vehicleId);
}

/** Replay order (WIRE.md §2.5): F, then S, then the other codes in byte order. */
export function getMessages(ctx: SqliteContext, ref: VehicleRef): StoredMessage[] {
  const rows = ctx
    .statement(
      `SELECT code, payload, time_s, paranoid, ptoken FROM messages
       WHERE owner_id = ? AND vehicle_id = ? AND valid = 1
       ORDER BY CASE code WHEN 'F' THEN 0 WHEN 'S' THEN 1 ELSE 2 END, code`,
    )
    .all(...refParams(ref)) as MessageRow[];
  return rows.map(toMessage);
}
