import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { STAT_PERIODS, type StatPeriod, statistics } from '../../recording/stats.js';
import { rangeOf } from '../../recording/time-range.js';
import {
  type Period,
  type PeriodKind,
  SAMPLE_FIELDS,
  type SampleField,
} from '../../recording/vehicle-recorder.js';
import { chargeView, parkView, sampleView, trackOf, tripGpx, tripView } from '../../recording/views.js';
import { type Store, StoreUnsupportedError, type Vehicle } from '../../store/store.js';
import type { RouteDeps } from '../app.js';
import { vehicleOf } from '../context.js';
import {
  ChargeDetail,
  ChargeRow,
  ParkRow,
  PeriodListQuery,
  PeriodParams,
  RecordingSettingsSchema,
  Series,
  SeriesQuery,
  StatRowSchema,
  StatsQuery,
  TripDetail,
  TripRow,
} from '../recording-schemas.js';
import { CredentialsQuery, errors, text, VehicleParams } from '../schemas.js';
import { sendText } from '../text.js';
import { READ_VEHICLE, SHELL_VEHICLE } from '../vehicle-access.js';

/** Most points a series answers with (the step is raised to fit). */
export const MAX_SERIES_POINTS = 2000;
/** Periods a stats query sums at most per kind (about 25 trips a day for a year and a half). */
const MAX_STAT_PERIODS = 20_000;
const DAY_MS = 86_400_000;

const ALIASES: Record<string, SampleField> = {
  range: 'rangeEstKm',
  idealRange: 'rangeIdealKm',
  odometer: 'odometerKm',
  speed: 'speedKmh',
  power: 'powerKw',
  chargePower: 'chargePowerKw',
};

/** The series fields asked for, or a 400 text naming the unknown one. */
export function seriesFields(list: string | undefined): SampleField[] | string {
  if (list === undefined || list.trim() === '') return [...SAMPLE_FIELDS];
  const fields: SampleField[] = [];
  for (const name of list.split(',').map((n) => n.trim())) {
    const field = ALIASES[name] ?? (SAMPLE_FIELDS as readonly string[]).find((f) => f === name);
    if (!field)
      return `Bad request: unknown field "${name.slice(0, 40)}" (known: ${SAMPLE_FIELDS.join(', ')})`;
    if (!fields.includes(field as SampleField)) fields.push(field as SampleField);
  }
  return fields;
}

async function settingsOf(store: Store, vehicle: Vehicle) {
  const [places, recording] = await Promise.all([
    store.listPlaces(vehicle.ownerId),
    store.getRecordingVehicle(vehicle),
  ]);
  return { places, price: recording?.pricePerKwh };
}

function periodIdOf(param: string): { start: Date; gpx: boolean } {
  const gpx = param.endsWith('.gpx');
  return { start: new Date(Number(gpx ? param.slice(0, -4) : param) * 1000), gpx };
}

/** The samples of a period (its track or curve): at most one per sample_s, bounded. */
function samplesOf(store: Store, vehicle: Vehicle, p: Period) {
  return store.listSamples(vehicle, {
    from: new Date(Math.floor(p.startAt / 1000) * 1000),
    to: new Date(p.endAt + 1000),
    limit: 10_000,
  });
}

/**
 * Trips, charge sessions, parking periods, the sampled series, statistics, exports and the
 * vehicle's recording settings (docs/http-api.md "Trips, charges and history"). Owner-checked, read
 * right (settings changes: full rights).
 */
export async function recordingRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = deps;

  const list = (
    kind: PeriodKind,
    path: string,
    row: typeof TripRow | typeof ChargeRow | typeof ParkRow,
    summary: string,
  ) =>
    r.get(
      path,
      {
        config: READ_VEHICLE,
        schema: {
          summary,
          tags: ['recording'],
          params: VehicleParams,
          querystring: PeriodListQuery,
          response: { 200: Type.Array(row), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const range = rangeOf(request.query, 100 * 365 * DAY_MS);
        if (typeof range === 'string') return sendText(reply, 400, range);
        const vehicle = vehicleOf(request);
        const periods = await store.listPeriods(vehicle, kind, {
          ...range,
          limit: request.query.limit ?? 100,
        });
        const { places, price } = await settingsOf(store, vehicle);
        const views =
          kind === 'trip'
            ? periods.map((p) => tripView(p, places))
            : kind === 'charge'
              ? periods.map((p) => chargeView(p, places, price))
              : periods.map((p) => parkView(p, places));
        return reply.send(views);
      },
    );
  list('trip', '/api/trips/:vehicleId', TripRow, 'Trips, newest first');
  list('charge', '/api/charges/:vehicleId', ChargeRow, 'Charge sessions, newest first');
  list('park', '/api/parks/:vehicleId', ParkRow, 'Parking periods and their battery drain, newest first');

  const notFound = (reply: FastifyReply, what: string) => sendText(reply, 404, `No such ${what}`);

  r.get(
    '/api/trips/:vehicleId/:periodId',
    {
      config: READ_VEHICLE,
      schema: {
        summary: 'One trip with its track; `<id>.gpx`: the track as GPX 1.1',
        tags: ['recording'],
        params: PeriodParams,
        querystring: CredentialsQuery,
        response: {
          200: TripDetail,
          ...errors(400, 401, 403),
          404: text('No such trip'),
        },
      },
    },
    async (request, reply) => {
      const vehicle = vehicleOf(request);
      const { start, gpx } = periodIdOf(request.params.periodId);
      const trip = await store.getPeriod(vehicle, 'trip', start);
      if (!trip) return notFound(reply, 'trip');
      const [{ places }, samples] = await Promise.all([
        settingsOf(store, vehicle),
        samplesOf(store, vehicle, trip),
      ]);
      const view = tripView(trip, places);
      if (gpx) {
        return reply
          .type('application/gpx+xml; charset=utf-8')
          .header('content-disposition', `attachment; filename="${vehicle.vehicleId}-trip-${view.id}.gpx"`)
          .send(tripGpx(view, samples, vehicle.vehicleId));
      }
      return { ...view, track: trackOf(samples) };
    },
  );

  r.get(
    '/api/charges/:vehicleId/:periodId',
    {
      config: READ_VEHICLE,
      schema: {
        summary: 'One charge session with its power/SOC curve',
        tags: ['recording'],
        params: PeriodParams,
        querystring: CredentialsQuery,
        response: { 200: ChargeDetail, ...errors(400, 401, 403), 404: text('No such charge') },
      },
    },
    async (request, reply) => {
      const vehicle = vehicleOf(request);
      const { start, gpx } = periodIdOf(request.params.periodId);
      const charge = gpx ? undefined : await store.getPeriod(vehicle, 'charge', start);
      if (!charge) return notFound(reply, 'charge');
      const [{ places, price }, samples] = await Promise.all([
        settingsOf(store, vehicle),
        samplesOf(store, vehicle, charge),
      ]);
      const curve = samples
        .filter((s) => s.mode === 'charge')
        .map((s) => {
          const v = sampleView(s, ['soc', 'chargePowerKw', 'powerKw', 'chargeKwh']);
          return {
            time: v.time,
            soc: v.soc ?? null,
            chargePowerKw: v.chargePowerKw ?? null,
            powerKw: v.powerKw ?? null,
            chargeKwh: v.chargeKwh ?? null,
          };
        });
      return { ...chargeView(charge, places, price), curve };
    },
  );

  r.get(
    '/api/series/:vehicleId',
    {
      config: READ_VEHICLE,
      schema: {
        summary: `The sampled series, averaged per step (at most ${MAX_SERIES_POINTS} points; default the last 24 h)`,
        tags: ['recording'],
        params: VehicleParams,
        querystring: SeriesQuery,
        response: { 200: Series, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const range = rangeOf(request.query, DAY_MS);
      if (typeof range === 'string') return sendText(reply, 400, range);
      const fields = seriesFields(request.query.fields);
      if (typeof fields === 'string') return sendText(reply, 400, fields);
      const spanS = Math.ceil((range.to.getTime() - range.from.getTime()) / 1000);
      const minimum = Math.max(1, Math.ceil(spanS / MAX_SERIES_POINTS));
      const step = Math.max(
        request.query.step ?? Math.round(deps.config.history.sampleInterval / 1000),
        minimum,
      );
      const buckets = await store.sampleBuckets(vehicleOf(request), range.from, range.to, step);
      return {
        from: range.from.toISOString(),
        to: range.to.toISOString(),
        step,
        fields,
        points: buckets.map((b) => sampleView(b, fields)),
      };
    },
  );

  r.get(
    '/api/stats/:vehicleId',
    {
      config: READ_VEHICLE,
      schema: {
        summary: 'Distance, energy, consumption, charging energy and cost, and parked drain per period',
        tags: ['recording'],
        params: VehicleParams,
        querystring: StatsQuery,
        response: { 200: Type.Array(StatRowSchema), ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const range = rangeOf(request.query, 365 * DAY_MS);
      if (typeof range === 'string') return sendText(reply, 400, range);
      const period: StatPeriod = request.query.period ?? 'month';
      if (!STAT_PERIODS.includes(period))
        return sendText(reply, 400, 'Bad request: period is day, week, month or year');
      const vehicle = vehicleOf(request);
      const query = { ...range, limit: MAX_STAT_PERIODS };
      const [trips, charges, parks, settings] = await Promise.all([
        store.listPeriods(vehicle, 'trip', query),
        store.listPeriods(vehicle, 'charge', query),
        store.listPeriods(vehicle, 'park', query),
        settingsOf(store, vehicle),
      ]);
      return statistics([...trips, ...charges, ...parks], period, settings.places, settings.price);
    },
  );

  r.get(
    '/api/recording/:vehicleId',
    {
      config: READ_VEHICLE,
      schema: {
        summary: "The vehicle's recording settings",
        tags: ['recording'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        response: { 200: RecordingSettingsSchema, ...errors(401, 403) },
      },
    },
    async (request) => {
      const v = await store.getRecordingVehicle(vehicleOf(request));
      return { capacityKwh: v?.capacityKwh ?? null, pricePerKwh: v?.pricePerKwh ?? null };
    },
  );

  r.put(
    '/api/recording/:vehicleId',
    {
      // Like the ABRP token: what a full login (vehicle.shell) may change, not a read or control token.
      config: SHELL_VEHICLE,
      schema: {
        summary: "Sets the vehicle's usable capacity and default price per kWh (null: unset)",
        tags: ['recording'],
        params: VehicleParams,
        querystring: CredentialsQuery,
        body: RecordingSettingsSchema,
        response: {
          200: RecordingSettingsSchema,
          ...errors(400, 401, 403),
          501: text('Not available with this database (Perl mode)'),
        },
      },
    },
    async (request, reply) => {
      const vehicle = vehicleOf(request);
      const settings = { capacityKwh: request.body.capacityKwh, pricePerKwh: request.body.pricePerKwh };
      try {
        await store.setRecordingSettings(vehicle, settings);
      } catch (err) {
        if (err instanceof StoreUnsupportedError) return sendText(reply, 501, err.message);
        throw err;
      }
      deps.recording?.capacityChanged(vehicle, settings.capacityKwh ?? undefined);
      return settings;
    },
  );
}
