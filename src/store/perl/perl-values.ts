import { PLAIN_TEXT_PREFIX } from '../../auth/passwords.js';

/**
 * How the Perl server's data formats map to the Store's (SERVER-INVENTORY.md §3): datetime columns
 * hold UTC to the second, unset times are MariaDB's zero date, text columns are utf8 text where our
 * schema keeps bytes, and owner passwords are Drupal 7 hashes or (AuthDbSimple) plain text.
 */

/** The record type under which the reference keeps per-day byte counts in history. */
export const UTILISATION_TYPE = '*-OVM-Utilisation';

/** A datetime as read (mysql2 gives the zero date as an invalid Date), or undefined when unset. */
export function perlTime(value: Date | null | undefined): Date | undefined {
  return value instanceof Date && Number.isFinite(value.getTime()) ? value : undefined;
}

/** A time as the reference writes it: UTC, whole seconds. */
export function wholeSeconds(seconds: number): Date {
  return new Date(seconds * 1000);
}

/** `m_msg` is varchar(255): longer payloads are cut rather than refused, so the car's update is kept. */
export const MESSAGE_COLUMN_CHARS = 255;

export function messageText(payload: Buffer): string {
  return [...payload.toString('utf8')].slice(0, MESSAGE_COLUMN_CHARS).join('');
}

/**
 * `pass` to the Store's passwordHash: Drupal and other hashes as they are; anything else is a
 * plain-text password (AuthDbSimple), tagged so it verifies only in Perl mode. An empty `pass`
 * never verifies.
 */
export function passwordHashFrom(pass: string): string {
  if (pass === '' || pass.startsWith('$') || pass.startsWith('U$') || pass.startsWith('scrypt$')) return pass;
  return PLAIN_TEXT_PREFIX + pass;
}

/** The Store's passwordHash back to `pass`. */
export function passFrom(passwordHash: string): string {
  return passwordHash.startsWith(PLAIN_TEXT_PREFIX)
    ? passwordHash.slice(PLAIN_TEXT_PREFIX.length)
    : passwordHash;
}

/** Conditions the reference puts on every owner and car it reads. */
export const ACTIVE_OWNER = 'o.status = 1 AND o.deleted = 0';
export const ACTIVE_CAR = "c.deleted = 0 AND c.v_type <> 'SERVER'";
