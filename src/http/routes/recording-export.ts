import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { csvLine, csvRows, flatten } from '../../recording/csv.js';
import type { Place } from '../../recording/geo.js';
import { SAMPLE_FIELDS } from '../../recording/vehicle-recorder.js';
import { chargeView, parkView, sampleView, tripView } from '../../recording/views.js';
import { historyPages } from '../../store/history-reader.js';
import { periodPages, samplePages } from '../../store/recording-reader.js';
import type { Store, VehicleRef } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { vehicleOf } from '../context.js';
import { canonicalJson } from '../json.js';
import { ExportQuery } from '../recording-schemas.js';
import { errors, text, VehicleParams } from '../schemas.js';
import { sendText } from '../text.js';
import { READ_VEHICLE } from '../vehicle-access.js';
import { rangeOf } from './recording.js';

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
): AsyncGenerator<string> {
  if (format === 'csv') {
    const columns = exportColumns(what);
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

/** GET /api/export/<id>: a vehicle's recorded data or stored history, streamed as CSV or JSON. */
export async function recordingExportRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/export/:vehicleId',
    {
      config: READ_VEHICLE,
      schema: {
        summary:
          'Export trips, charges, parking periods, the series or the stored history (CSV or JSON, streamed)',
        tags: ['recording'],
        params: VehicleParams,
        querystring: ExportQuery,
        response: {
          200: text('CSV (text/csv) or a JSON array (application/json)', 'text/csv'),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const range = rangeOf(request.query, 100 * 365 * 86_400_000);
      if (typeof range === 'string') return sendText(reply, 400, range);
      const vehicle = vehicleOf(request);
      const { what } = request.query;
      const format = request.query.format ?? 'csv';
      const [places, recording] = await Promise.all([
        deps.store.listPlaces(vehicle.ownerId),
        deps.store.getRecordingVehicle(vehicle),
      ]);
      const pages = exportPages(deps.store, vehicle, what, range, places, recording?.pricePerKwh);
      const body = Readable.from(exportChunks(pages, what, format), { objectMode: false });
      body.on('error', (err) => request.log.error({ err }, 'export stream failed'));
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${vehicle.vehicleId}-${what}.${format}"`)
        .send(body as never);
    },
  );
}
