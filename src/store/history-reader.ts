import type { HistoryPosition, HistoryRecord, Store, VehicleRef } from './store.js';

/**
 * Rows per page when a long history is read. Bounds what one reader holds at once: a page of the
 * largest records a car can send (a line of `limits.max_line_length`) is a few MB, a page of
 * typical records (100-200 bytes) about 20 KB.
 */
export const HISTORY_PAGE_ROWS = 100;

/**
 * Every record of one type after `since`, in order (timestamp, then recno), a page at a time. The
 * next page is read only when the consumer asks for it, so a reader that waits for its client
 * holds one page, not the history.
 */
export async function* historyPages(
  store: Store,
  ref: VehicleRef,
  type: string,
  since?: Date,
  pageRows = HISTORY_PAGE_ROWS,
): AsyncGenerator<HistoryRecord[]> {
  let after: HistoryPosition | undefined;
  for (;;) {
    const page = await store.historyPage(ref, type, { since, after, limit: pageRows });
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (page.length < pageRows || !last) return;
    after = { timestamp: last.timestamp, recno: last.recno };
  }
}
