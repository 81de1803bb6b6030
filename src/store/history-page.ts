import type { HistoryPageQuery } from './store.js';
import { checkCount, toSeconds } from './values.js';

/**
 * A page of one type's records as every back-end reads it: the records whose (timestamp second,
 * recno) comes after a bound, in that order, at most `limit`. `since` is the bound (since, +∞); a
 * cursor past it is the bound (its second, its recno). One query text serves the first page and
 * every later one, and each page is an index range scan however deep into the history it starts.
 */
export interface PageBound {
  afterS: number;
  afterRecno: number;
  limit: number;
}

/** Above every recno a back-end stores (they are safe integers). */
const PAST_EVERY_RECNO = Number.MAX_SAFE_INTEGER;

/** `noSinceS` stands for "no lower bound" in the back-end's time column. */
export function pageBound(query: HistoryPageQuery, noSinceS: number): PageBound {
  const limit = checkCount(query.limit, 'limit');
  const sinceS = query.since === undefined ? noSinceS : toSeconds(query.since, 'since');
  const after = query.after;
  if (after !== undefined) {
    if (!Number.isSafeInteger(after.recno)) throw new RangeError(`recno ${after.recno} is not an integer`);
    const afterS = toSeconds(after.timestamp, 'after');
    if (afterS > sinceS) return { afterS, afterRecno: after.recno, limit };
  }
  return { afterS: sinceS, afterRecno: PAST_EVERY_RECNO, limit };
}

/**
 * The WHERE condition of a page on the given columns, with its four parameters
 * (`pageParams`): the first term is implied by the second and lets every planner scan a range.
 */
export function pageCondition(time: string, recno: string): string {
  return `${time} >= ? AND (${time} > ? OR (${time} = ? AND ${recno} > ?))`;
}

export function pageParams<T>(bound: PageBound, time: (seconds: number) => T): (T | number)[] {
  const t = time(bound.afterS);
  return [t, t, t, bound.afterRecno];
}
