import type { Period, PeriodKind, Sample } from '../recording/vehicle-recorder.js';
import type { Store, VehicleRef } from './store.js';

/**
 * Long reads of recorded data a page at a time (exports): the next page is read only when the
 * consumer asks, so a year costs no more memory than a page. Keyset paging: every page costs the same.
 */

export const RECORDING_PAGE_ROWS = 1000;

/** Periods starting in [from, to), newest first. */
export async function* periodPages(
  store: Store,
  ref: VehicleRef,
  kind: PeriodKind,
  range: { from: Date; to: Date },
  pageRows = RECORDING_PAGE_ROWS,
): AsyncGenerator<Period[]> {
  let to = range.to;
  for (;;) {
    const page = await store.listPeriods(ref, kind, { from: range.from, to, limit: pageRows });
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (page.length < pageRows || !last) return;
    to = new Date(Math.floor(last.startAt / 1000) * 1000);
  }
}

/** Samples in [from, to), oldest first. */
export async function* samplePages(
  store: Store,
  ref: VehicleRef,
  range: { from: Date; to: Date },
  pageRows = RECORDING_PAGE_ROWS,
): AsyncGenerator<Sample[]> {
  let from = range.from;
  for (;;) {
    const page = await store.listSamples(ref, { from, to: range.to, limit: pageRows });
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (page.length < pageRows || !last) return;
    from = new Date(Math.floor(last.at / 1000) * 1000 + 1000);
  }
}
