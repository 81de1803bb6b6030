import { Readable } from 'node:stream';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { rangeOf } from '../../recording/time-range.js';
import { exportChunks, exportPages } from '../../store/recording-export.js';
import type { RouteDeps } from '../app.js';
import { vehicleOf } from '../context.js';
import { ExportQuery } from '../recording-schemas.js';
import { errors, text, VehicleParams } from '../schemas.js';
import { sendText } from '../text.js';
import { READ_VEHICLE } from '../vehicle-access.js';

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
