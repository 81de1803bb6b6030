import { canonicalJson } from '../http/json.js';
import { csvLine, csvRows, flatten } from '../recording/csv.js';
import type { Place } from '../recording/geo.js';
import { SAMPLE_FIELDS } from '../recording/vehicle-recorder.js';
import { chargeView, parkView, sampleView, tripView } from '../recording/views.js';
import { historyPages } from './history-reader.js';
import { periodPages, samplePages } from './recording-reader.js';
import type { Store, VehicleRef } from './store.js';

/**
 * Exports of a vehicle's recorded data (trips, charges, parking periods, the series) or its stored
 * history, as CSV or one JSON array, a page at a time: what the HTTP export and `ovms-server export`
 * stream, whatever the range, in the memory of a page.
 */

export type ExportWhat = 'trips' | 'charges' | 'parks' | 'series' | 'history';

const EMPTY = { startAt: 0, endAt: 0, units: 'km' as const };

/** The rows of an export, a page at a time (JSON values; CSV flattens them). */
export async function* exportPages(
  store: Store,
  ref: VehicleRef,
  what: ExportWhat,
  range: { from: Date; to: Date },
  places: readonly Place[],
  price: number | undefined,
): AsyncGenerator<object[]> {
  if (what === 'series') {
    for await (const page of samplePages(store, ref, range)) yield page.map((s) => sampleView(s));
  } else if (what === 'history') {
    for (const { type } of await store.historySummary(ref)) {
      for await (const page of historyPages(store, ref, type, range.from, 1000)) {
        const rows = page.filter((h) => h.timestamp < range.to);
        yield rows.map((h) => ({
          type: h.type,
          recno: h.recno,
          time: h.timestamp.toISOString(),
          expires: h.expires.toISOString(),
          data: h.data.toString('latin1'),
        }));
        if (rows.length < page.length) break;
      }
    }
  } else {
    const kind = what === 'trips' ? 'trip' : what === 'charges' ? 'charge' : 'park';
    for await (const page of periodPages(store, ref, kind, range)) {
      yield page.map((p) =>
        kind === 'trip'
          ? tripView(p, places)
          : kind === 'charge'
            ? chargeView(p, places, price)
            : parkView(p, places),
      );
    }
  }
}

/** The CSV columns of each export. */
export function exportColumns(what: ExportWhat): string[] {
  if (what === 'series') return ['time', 'mode', ...SAMPLE_FIELDS];
  if (what === 'history') return ['type', 'recno', 'time', 'expires', 'data'];
  if (what === 'trips') return Object.keys(flatten(tripView({ ...EMPTY, kind: 'trip' })));
  if (what === 'charges') return Object.keys(flatten(chargeView({ ...EMPTY, kind: 'charge' })));
  return Object.keys(flatten(parkView({ ...EMPTY, kind: 'park' })));
}

/** Text chunks of an export: CSV with a header, or one JSON array. */
export async function* exportChunks(
  pages: AsyncIterable<object[]>,
  what: ExportWhat,
  format: 'csv' | 'json',
  /** CSV columns before the export's own (the operator export's `vehicle`). */
  leading: readonly string[] = [],
): AsyncGenerator<string> {
  if (format === 'csv') {
    const columns = [...leading, ...exportColumns(what)];
    yield csvLine(columns);
    for await (const page of pages) if (page.length > 0) yield csvRows(columns, page);
    return;
  }
  let first = true;
  yield '[';
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield (first ? '' : ',') + page.map((row) => canonicalJson(row)).join(',');
    first = false;
  }
  yield ']\n';
}
