import { type TObject, type TProperties, type TSchema, Type } from '@sinclair/typebox';
import {
  CHARGE_D_FLAGS,
  CHARGE_D_VALUES,
  CHARGE_S_FIELDS,
  LOCATION_L_FIELDS,
  STATUS_D_FLAGS,
  STATUS_D_VALUES,
  STATUS_S_FIELDS,
  TPMS_STALE_FIELDS,
} from './views/fields.js';

/**
 * The request and response schemas of every route. The same objects validate requests (fastify's
 * Ajv), check responses before they are written (json.ts), and make the OpenAPI document.
 */

const Str = Type.String();
const Int = Type.Integer();
const Nullable = Type.Union([Type.String(), Type.Null()]);
const opt = <T extends TSchema>(t: T) => Type.Optional(t);

function fields(names: readonly string[], type: TSchema): TProperties {
  return Object.fromEntries(names.map((n) => [n, Type.Optional(type)]));
}

function closed(props: TProperties, description: string): TObject {
  return Type.Object(props, { additionalProperties: false, description });
}

// ---- plain-text replies ----------------------------------------------------------------------------

export function text(description: string, mediaType = 'text/plain'): TSchema {
  return Type.String({ description, contentMediaType: mediaType });
}

export const ERR = {
  400: text('Bad request: a parameter or the body is invalid'),
  401: text('`Authentication failed`: no, wrong or refused (`none`) credentials'),
  403: text('`Insufficient rights` (permission missing) or `Forbidden` (not your vehicle)'),
  404: text('`Unrecognised API call`'),
  409: text('The car is not connected'),
  501: text('The car does not support this command'),
  502: text('`Paranoid vehicles not supported by api`, or the failure text the car answered'),
  503: text("Too many commands already await the car's reply"),
  504: text('The car did not answer in time'),
} as const;

type ErrCode = keyof typeof ERR;
export function errors(...codes: ErrCode[]): Record<number, TSchema> {
  return Object.fromEntries(codes.map((c) => [c, ERR[c]]));
}

// ---- request parts -----------------------------------------------------------------------------------

/** Every /api route reads credentials from the query string, as the reference does. */
export const CredentialsQuery = Type.Object({
  username: opt(Type.String({ description: 'Owner name (with `password`)' })),
  password: opt(Type.String({ description: 'Owner password, or an API token' })),
});

export const VehicleListQuery = Type.Object({
  ...CredentialsQuery.properties,
  include: opt(
    Type.Literal('protocol', {
      description:
        "'protocol' adds v_car_protocol to each row (off by default: Home Assistant's ovms-hass refuses rows with unknown keys)",
    }),
  ),
});

export const HistoryQuery = Type.Object({
  username: opt(Str),
  password: opt(Str),
  since: opt(
    Type.String({
      description: "Only records after this time: 'YYYY-MM-DD HH:MM:SS' (UTC), an ISO date or epoch seconds",
    }),
  ),
});

export const VehicleParams = Type.Object({
  vehicleId: Type.String({ minLength: 1, maxLength: 32, description: 'Vehicle id' }),
});

// ---- responses ---------------------------------------------------------------------------------------

export const TokenRow = closed(
  {
    owner: Str,
    token: Type.String({ description: 'SHA-256 (hex) of the token: the token itself is not stored' }),
    application: Str,
    purpose: Str,
    permit: Str,
    created: Str,
    refreshed: Str,
    lastused: Str,
  },
  'An API token',
);
export const TokenList = Type.Array(TokenRow);

export const TokenCreateBody = Type.Object({
  application: opt(Type.String({ maxLength: 32 })),
  purpose: opt(Type.String({ maxLength: 80 })),
  permit: opt(
    Type.String({
      maxLength: 255,
      description:
        "Rights: '*', or a comma-separated list of vehicle.read (or auth, the default), vehicle.control, " +
        'vehicle.shell, session, token.admin, admin, v2, mqtt, v3; only rights the caller has',
    }),
  ),
});

export const TokenCreated = closed(
  { owner: Str, token: Str, application: Str, purpose: Str, permit: Str },
  'The new token: shown this once',
);
export const TokenDeleted = closed({ owner: Str, token: Str }, 'The deleted token');

/** How the car is connected (a field of this server, not the reference's). */
const CarProtocol = Type.Union([Type.Literal('v2'), Type.Literal('v3'), Type.Literal('')], {
  description:
    "How the car is connected now: 'v2' (a v2 car), 'v3' (an MQTT module through the bridge), '' (not connected)",
});

export const VehicleListRow = closed(
  {
    id: Str,
    v_net_connected: Int,
    v_apps_connected: Int,
    v_btcs_connected: Int,
    v_car_protocol: opt(CarProtocol),
  },
  'A vehicle and who is connected to it',
);
export const VehicleList = Type.Array(VehicleListRow);

export const VehicleConnected = closed(
  {
    v_net_connected: Int,
    v_apps_connected: Int,
    v_btcs_connected: Int,
    v_car_protocol: CarProtocol,
    v_first_peer: Int,
    m_msgtime_s: opt(Str),
    m_msgage_s: opt(Int),
  },
  'Peer counts after connecting',
);

export const ProtocolRow = closed(
  { m_msgtime: Str, m_paranoid: Int, m_ptoken: Str, m_code: Str, m_msg: Str },
  'A stored message',
);
export const ProtocolList = Type.Array(ProtocolRow);

const time = (suffix: string): TProperties => ({
  [`m_msgtime_${suffix}`]: opt(Str),
  [`m_msgage_${suffix}`]: opt(Int),
});

const keys = (o: object) => Object.keys(o);

export const StatusView = closed(
  {
    ...time('s'),
    ...fields(keys(STATUS_S_FIELDS), Nullable),
    ...time('d'),
    ...fields(STATUS_D_FLAGS, Int),
    ...fields(keys(STATUS_D_VALUES), Nullable),
  },
  'Status from the latest S and D messages: values as strings, flags as masked bit values',
);

export const ChargeView = closed(
  {
    ...time('s'),
    ...fields(keys(CHARGE_S_FIELDS), Nullable),
    ...time('d'),
    ...fields(CHARGE_D_FLAGS, Int),
    ...fields(keys(CHARGE_D_VALUES), Nullable),
  },
  'Charge state from the latest S and D messages',
);

export const LocationView = closed(
  { ...time('l'), ...fields(keys(LOCATION_L_FIELDS), Nullable) },
  'Location from the latest L message',
);

export const TpmsView = Type.Object(
  {
    ...time('y'),
    ...time('w'),
    ...fields(TPMS_STALE_FIELDS, Nullable),
  },
  {
    additionalProperties: Type.Union([Type.String(), Type.Number(), Type.Null()]),
    description:
      'TPMS from Y (per wheel: <name>_pressure_kpa, <name>_pressure (psi, a number), _temperature, _health, _alert) or else W (fr/rr/fl/rl_pressure and _temperature)',
  },
);

export const HistorySummaryList = Type.Array(
  closed(
    { h_recordtype: Str, distinctrecs: Int, totalrecs: Int, totalsize: Str, first: Str, last: Str },
    'One record type',
  ),
);
export const HistoryRecordRow = closed({ h_timestamp: Str, h_recordnumber: Int, h_data: Str }, 'One record');
export const HistoryRecordList = Type.Array(HistoryRecordRow);

// ---- commands ----------------------------------------------------------------------------------------

export const CommandReply = closed(
  {
    command: Int,
    result: Type.Integer({ description: '0 ok, 1 failed, 2 unsupported, 3 unimplemented' }),
    text: Type.String({ description: 'Everything after the result' }),
    params: Type.Array(Str),
  },
  "The car's `c` reply",
);

export const ListReply = (name: 'features' | 'parameters') =>
  closed(
    {
      command: Int,
      result: Int,
      [name]: Type.Array(Str, { description: `Values by ${name.slice(0, -1)} number` }),
    },
    `The car's ${name} (reply lines c<cmd>,0,<n>,<count>,<value>)`,
  );

export const PinBody = Type.Object({
  pin: opt(Type.String({ pattern: '^[0-9]{1,12}$', description: 'PIN, if the vehicle needs one' })),
});

export const ChargeBody = Type.Object({
  mode: opt(
    Type.Union([
      Type.Union([
        Type.Literal('standard'),
        Type.Literal('storage'),
        Type.Literal('range'),
        Type.Literal('performance'),
      ]),
      Type.Integer({ minimum: 0, maximum: 9 }),
    ]),
  ),
  current: opt(Type.Integer({ minimum: 1, maximum: 999, description: 'Charge current limit in A' })),
});

export const FeatureBody = Type.Object({
  feature: Type.Integer({ minimum: 0, maximum: 255 }),
  value: Type.String({ maxLength: 200 }),
});
export const ParameterBody = Type.Object({
  parameter: Type.Integer({ minimum: 0, maximum: 255 }),
  value: Type.String({ maxLength: 200 }),
});
export const HomelinkBody = Type.Object({
  button: opt(
    Type.Integer({ minimum: -1, maximum: 9, description: 'Button (0..2), -1 or none for default' }),
  ),
});

export const LockState = closed({ ...time('d'), carlocked: opt(Int) }, 'Lock flag from the latest D');
export const ValetState = closed({ ...time('d'), valetmode: opt(Int) }, 'Valet flag from the latest D');

export const CommandBody = Type.Object({
  command: Type.Integer({ minimum: 0, maximum: 65535, description: 'Command code' }),
  params: opt(
    Type.Union([
      Type.Array(Type.String({ maxLength: 700 }), { maxItems: 64 }),
      Type.String({ maxLength: 700 }),
    ]),
  ),
});

export const CommandLines = closed(
  {
    command: Int,
    result: Type.Integer({ description: 'Result of the last line' }),
    lines: Type.Array(closed({ result: Int, text: Str, params: Type.Array(Str) }, 'One reply line')),
  },
  'Every reply line of a command',
);

// ---- mqapi -------------------------------------------------------------------------------------------

const StrOrNum = Type.Union([Type.String(), Type.Number()]);
export const MqapiBody = Type.Object({
  username: opt(StrOrNum),
  password: opt(StrOrNum),
  topic: opt(StrOrNum),
  acc: opt(StrOrNum),
  clientid: opt(StrOrNum),
});
