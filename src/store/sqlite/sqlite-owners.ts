import { OWNER_COLUMNS as COLUMNS, type OwnerRow, toOwner } from '../rows.js';
import type { NewOwner, Owner } from '../store.js';
import { type SqliteContext, withConflicts } from './sqlite-context.js';

export function createOwner(ctx: SqliteContext, owner: NewOwner): Owner {
  const row = withConflicts(
    () =>
      ctx
        .statement(
          `INSERT INTO owners (name, mail, password_hash, admin, created_ms) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        )
        .get(owner.name, owner.mail ?? '', owner.passwordHash, owner.admin ? 1 : 0, Date.now()) as OwnerRow,
    { unique: `an owner named "${owner.name}" already exists` },
  );
  return toOwner(row);
}

export function getOwner(ctx: SqliteContext, id: number): Owner | undefined {
  const row = ctx.statement(`SELECT ${COLUMNS} FROM owners WHERE id = ?`).get(id) as OwnerRow | undefined;
  return row && toOwner(row);
}

export function getOwnerByName(ctx: SqliteContext, name: string): Owner | undefined {
  const row = ctx.statement(`SELECT ${COLUMNS} FROM owners WHERE name = ?`).get(name) as OwnerRow | undefined;
  return row && toOwner(row);
}

export function listOwners(ctx: SqliteContext): Owner[] {
  const rows = ctx.statement(`SELECT ${COLUMNS} FROM owners ORDER BY id`).all() as OwnerRow[];
  return rows.map(toOwner);
}

export function setOwnerPassword(ctx: SqliteContext, id: number, passwordHash: string): void {
  ctx.statement('UPDATE owners SET password_hash = ? WHERE id = ?').run(passwordHash, id);
}

/** Vehicles, their messages/history/subscriptions, tokens and auto-provision rows go by cascade. */
export function deleteOwner(ctx: SqliteContext, id: number): boolean {
  return ctx.statement('DELETE FROM owners WHERE id = ?').run(id).changes > 0;
}
