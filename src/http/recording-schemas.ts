import { type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { SAMPLE_FIELDS } from '../recording/vehicle-recorder.js';
import { CredentialsQuery } from './schemas.js';

/**
 * Request and response schemas of the recording routes (trips, charges, parking, series, stats,
 * export, places; src/http/routes/recording.ts). Numbers are JSON numbers, times ISO 8601 UTC,
 * unknown values null.
 */

const Num = Type.Union([Type.Number(), Type.Null()]);
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const Time = Type.String({
  description: 'ISO 8601 UTC time',
  pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$',
});
const closed = <T extends TProperties>(props: T, description: string) =>
  Type.Object(props, { additionalProperties: false, description });

const PlaceRef = closed(
  { lat: Num, lon: Num, name: NullableStr },
  "A position, and the name of the owner's place covering it (null when none)",
);

const timeQuery = {
  from: Type.Optional(Type.String({ description: 'Start (ISO 8601 or epoch seconds), inclusive' })),
  to: Type.Optional(Type.String({ description: 'End (ISO 8601 or epoch seconds), exclusive; default now' })),
};

export const PeriodListQuery = Type.Object({
  ...CredentialsQuery.properties,
  ...timeQuery,
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many (default 100)' }),
  ),
});

export const PeriodParams = Type.Object({
  vehicleId: Type.String({ minLength: 1, maxLength: 32, description: 'Vehicle id' }),
  periodId: Type.String({
    pattern: '^[0-9]{1,12}(\\.gpx)?$',
    description: 'The id from the list (its start, epoch seconds); trips also take `<id>.gpx`',
  }),
});

/** What every trip, charge and parking period starts with. */
const periodHead = {
  id: Type.Integer({ description: 'Start time, epoch seconds' }),
  start: Time,
  end: Time,
  durationS: Type.Integer(),
};

export const TripRow = closed(
  {
    ...periodHead,
    from: PlaceRef,
    to: PlaceRef,
    distanceKm: Num,
    distance: Type.Union([Type.Number(), Type.Null()], {
      description: "Distance in the car's units (`unit`)",
    }),
    unit: Type.Union([Type.Literal('km'), Type.Literal('mi')]),
    distanceSource: Type.Union([
      Type.Literal('odometer'),
      Type.Literal('gps'),
      Type.Literal('module'),
      Type.Null(),
    ]),
    odometerFromKm: Num,
    odometerToKm: Num,
    socFrom: Num,
    socTo: Num,
    socUsed: Num,
    energyKwh: Num,
    energySource: Type.Union([Type.Literal('car'), Type.Literal('soc'), Type.Literal('module'), Type.Null()]),
    whPerKm: Num,
    whPerMi: Num,
    avgSpeedKmh: Num,
    maxSpeedKmh: Num,
  },
  'A trip',
);

const TrackPoint = closed(
  { time: Time, lat: Type.Number(), lon: Type.Number(), speedKmh: Num, soc: Num },
  'A sampled position',
);

export const TripDetail = closed(
  { ...TripRow.properties, track: Type.Array(TrackPoint) },
  'A trip with its track (the sampled positions); `<id>.gpx` gives the track as GPX 1.1',
);

export const ChargeRow = closed(
  {
    ...periodHead,
    place: PlaceRef,
    socFrom: Num,
    socTo: Num,
    energyKwh: Num,
    energySource: Type.Union([Type.Literal('car'), Type.Literal('soc'), Type.Literal('module'), Type.Null()]),
    gridKwh: Num,
    avgPowerKw: Num,
    peakPowerKw: Num,
    mode: NullableStr,
    limitSoc: Num,
    limitA: Num,
    endState: Type.Union([Type.String(), Type.Null()], {
      description: '`done`, `stopped` (interrupted), `offline` (the car went quiet), ...',
    }),
    pricePerKwh: Num,
    cost: Num,
  },
  'A charge session',
);

const CurvePoint = closed(
  { time: Time, soc: Num, chargePowerKw: Num, powerKw: Num, chargeKwh: Num },
  'A sample of the charge',
);

export const ChargeDetail = closed(
  { ...ChargeRow.properties, curve: Type.Array(CurvePoint) },
  'A charge session with its power/SOC curve',
);

export const ParkRow = closed(
  {
    ...periodHead,
    place: PlaceRef,
    socFrom: Num,
    socTo: Num,
    socLost: Num,
    energyLostKwh: Num,
  },
  'A parking period and what the battery lost during it',
);

const sampleProps = Object.fromEntries(SAMPLE_FIELDS.map((f) => [f, Type.Optional(Num)])) as Record<
  string,
  TSchema
>;

export const SeriesPoint = closed(
  {
    time: Time,
    mode: Type.Union([Type.Literal('idle'), Type.Literal('drive'), Type.Literal('charge')]),
    ...sampleProps,
  },
  'Averages over one step (a step without samples is left out: the car was offline)',
);

export const SeriesQuery = Type.Object({
  ...CredentialsQuery.properties,
  ...timeQuery,
  fields: Type.Optional(
    Type.String({
      description: `Comma-separated: ${SAMPLE_FIELDS.join(', ')} (or range, speed, power, odometer)`,
    }),
  ),
  step: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'Seconds per point; raised so that there are at most 2000 points',
    }),
  ),
});

export const Series = closed(
  {
    from: Time,
    to: Time,
    step: Type.Integer(),
    fields: Type.Array(Type.String()),
    points: Type.Array(SeriesPoint),
  },
  'The sampled series, downsampled',
);

export const StatsQuery = Type.Object({
  ...CredentialsQuery.properties,
  ...timeQuery,
  period: Type.Optional(
    Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')], {
      description: 'Calendar period (UTC) to sum over; default month',
    }),
  ),
});

export const StatRowSchema = closed(
  {
    period: Type.String({ description: '2026-05-12 (day), 2026-05-11 (week: its Monday), 2026-05, 2026' }),
    trips: Type.Integer(),
    distanceKm: Type.Number(),
    driveS: Type.Integer(),
    energyKwh: Type.Number(),
    whPerKm: Num,
    charges: Type.Integer(),
    chargedKwh: Type.Number(),
    gridKwh: Type.Number(),
    cost: Num,
    parkedS: Type.Integer(),
    drainSoc: Type.Number(),
    drainKwh: Type.Number(),
  },
  'Sums over one period',
);

export const ExportQuery = Type.Object({
  ...CredentialsQuery.properties,
  ...timeQuery,
  what: Type.Union(
    [
      Type.Literal('trips'),
      Type.Literal('charges'),
      Type.Literal('parks'),
      Type.Literal('series'),
      Type.Literal('history'),
    ],
    { description: 'What to export' },
  ),
  format: Type.Optional(
    Type.Union([Type.Literal('csv'), Type.Literal('json')], { description: 'Default csv' }),
  ),
});

export const PlaceSchema = closed(
  {
    id: Type.Integer(),
    name: Type.String(),
    lat: Type.Number(),
    lon: Type.Number(),
    radiusM: Type.Number(),
    pricePerKwh: Num,
  },
  'A named place',
);

export const PlaceBody = Type.Object(
  {
    id: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Replace this place; without it a place is added' }),
    ),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    radiusM: Type.Number({ minimum: 1, maximum: 100000 }),
    pricePerKwh: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1000 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const RecordingSettingsSchema = closed(
  {
    capacityKwh: Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1000 }), Type.Null()], {
      description: "Usable battery capacity for SOC-based energy; null: the car's own (S field 41)",
    }),
    pricePerKwh: Type.Union([Type.Number({ minimum: 0, maximum: 1000 }), Type.Null()], {
      description: 'Default price per kWh where no place has its own',
    }),
  },
  "The vehicle's recording settings",
);
