/**
 * Small text helpers shared by the message decoders.
 */

/** Splits at the first `count` commas; the last element is the unsplit remainder (which may hold commas). */
export function splitHead(text: string, count: number): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const comma = text.indexOf(',', start);
    if (comma < 0) break;
    parts.push(text.slice(start, comma));
    start = comma + 1;
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Strict integer parsing for protocol fields that are turned into numbers.
 *
 * Only the canonical decimal form is accepted (what the firmware's `%d` produces: no sign on zero,
 * no `+`, no leading zeros, no blanks) and only within the safe-integer range. That keeps the codec
 * lossless: a number that is accepted prints back as exactly the same text, and anything else is
 * reported as an error result carrying the raw payload instead.
 */
const CANONICAL_INT = /^(?:0|-?[1-9]\d{0,15})$/;

export function parseCanonicalInt(text: string | undefined): number | undefined {
  if (text === undefined || !CANONICAL_INT.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Like `parseCanonicalInt`, but rejects negative values. */
export function parseCanonicalUint(text: string | undefined): number | undefined {
  const value = parseCanonicalInt(text);
  return value !== undefined && value >= 0 ? value : undefined;
}
