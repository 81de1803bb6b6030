/** Time parameters of queries (API, CLI): pure. */

/** A time parameter: ISO 8601 or epoch seconds; undefined when absent, null when not a time. */
export function parseTime(value: string | undefined): Date | undefined | null {
  if (value === undefined || value.trim() === '') return undefined;
  const ms = /^\d{1,12}$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 && ms < 253402300800000 ? new Date(ms) : null;
}

export type Range = { from: Date; to: Date };

/** from/to of a query, `defaultSpan` before `to` when from is absent; a text for a 400 when bad. */
export function rangeOf(query: { from?: string; to?: string }, defaultSpanMs: number): Range | string {
  const to = parseTime(query.to);
  if (to === null) return 'Bad request: to is not a time (ISO 8601 or epoch seconds)';
  const from = parseTime(query.from);
  if (from === null) return 'Bad request: from is not a time (ISO 8601 or epoch seconds)';
  // Exclusive: the default takes in the current second.
  const end = to ?? new Date(Math.floor(Date.now() / 1000) * 1000 + 1000);
  const start = from ?? new Date(end.getTime() - defaultSpanMs);
  if (start.getTime() >= end.getTime()) return 'Bad request: from must be before to';
  return { from: start, to: end };
}
