import { createHash } from 'node:crypto';

/**
 * The topics of the Home Assistant integration, pure. State topics are the bridge's own
 * (`ovms/<owner>/<vehicle id>/metric/…`); the few the integration adds live under
 * `ovms/<owner>/<vehicle id>/ha/`, where no module publishes and the bridge looks at nothing:
 * - `ha/position`: `{"latitude":…,"longitude":…}` for the device tracker (retained);
 * - `ha/last_seen`: the time of the car's latest message, ISO 8601 (retained);
 * - `ha/result`: the outcome of the latest command sent from Home Assistant, JSON (retained);
 * - `ha/command/<action>`: what Home Assistant publishes to control the car.
 */
export const HA_LEVEL = 'ha';

export const COMMAND_ACTIONS = [
  'lock',
  'charge',
  'climate',
  'wakeup',
  'homelink1',
  'homelink2',
  'homelink3',
  'charge_current',
] as const;
export type CommandAction = (typeof COMMAND_ACTIONS)[number];

/** `ovms/<owner>/<vehicle id>/` (the bridge's layout). */
export function vehiclePrefix(owner: string, vehicleId: string): string {
  return `ovms/${owner}/${vehicleId}/`;
}

export function positionTopic(owner: string, vehicleId: string): string {
  return `${vehiclePrefix(owner, vehicleId)}${HA_LEVEL}/position`;
}

export function lastSeenTopic(owner: string, vehicleId: string): string {
  return `${vehiclePrefix(owner, vehicleId)}${HA_LEVEL}/last_seen`;
}

export function resultTopic(owner: string, vehicleId: string): string {
  return `${vehiclePrefix(owner, vehicleId)}${HA_LEVEL}/result`;
}

export function commandTopic(owner: string, vehicleId: string, action: CommandAction): string {
  return `${vehiclePrefix(owner, vehicleId)}${HA_LEVEL}/command/${action}`;
}

/** The subscription that receives every vehicle's Home Assistant commands. */
export const COMMAND_FILTER = `ovms/+/+/${HA_LEVEL}/command/+`;

/** Owner, vehicle id and action of a command topic; undefined for anything else. */
export function parseCommandTopic(
  topic: string,
): { owner: string; vehicleId: string; action: CommandAction } | undefined {
  const levels = topic.split('/');
  if (levels.length !== 6 || levels[0] !== 'ovms' || levels[3] !== HA_LEVEL || levels[4] !== 'command')
    return undefined;
  const action = levels[5] as CommandAction;
  if (!COMMAND_ACTIONS.includes(action)) return undefined;
  return { owner: levels[1]!, vehicleId: levels[2]!, action };
}

/** Latitude and longitude metrics, for the device tracker's position. */
export const LATITUDE_FILTER = 'ovms/+/+/metric/v/p/latitude';
export const LONGITUDE_FILTER = 'ovms/+/+/metric/v/p/longitude';

/** Owner, vehicle id and which coordinate of a latitude/longitude metric topic. */
export function parseCoordinateTopic(
  topic: string,
): { owner: string; vehicleId: string; axis: 'latitude' | 'longitude' } | undefined {
  const levels = topic.split('/');
  if (levels.length !== 7 || levels[0] !== 'ovms' || levels[3] !== 'metric') return undefined;
  if (levels[4] !== 'v' || levels[5] !== 'p') return undefined;
  const axis = levels[6];
  if (axis !== 'latitude' && axis !== 'longitude') return undefined;
  return { owner: levels[1]!, vehicleId: levels[2]!, axis };
}

/** Home Assistant ids allow letters, digits, `_` and `-` only. */
function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The device's id, also the node id level of its discovery topics: `ovms_<owner>_<vehicle id>`,
 * with a short hash of the exact names added when a character had to be replaced (so `a.b` and
 * `a_b` stay apart).
 */
export function deviceId(owner: string, vehicleId: string): string {
  const base = `ovms_${slug(owner)}_${slug(vehicleId)}`;
  if (slug(owner) === owner && slug(vehicleId) === vehicleId) return base;
  const hash = createHash('sha256').update(`${owner}/${vehicleId}`).digest('hex').slice(0, 8);
  return `${base}_${hash}`;
}

/** The discovery prefix for an owner: `{owner}` levels stand for the owner's name. */
export function discoveryPrefixFor(pattern: string, owner: string): string {
  return pattern
    .split('/')
    .map((l) => (l === '{owner}' ? owner : l))
    .join('/');
}

/** The subscription that sees every discovery document of any owner under `pattern`. */
export function discoveryFilter(pattern: string): string {
  const prefix = pattern
    .split('/')
    .map((l) => (l === '{owner}' ? '+' : l))
    .join('/');
  return `${prefix}/+/+/+/config`;
}

/** `<prefix>/<component>/<node id>/<object id>/config`. */
export function discoveryTopic(prefix: string, component: string, node: string, objectId: string): string {
  return `${prefix}/${component}/${node}/${objectId}/config`;
}

/** The node id level of a discovery topic under `pattern`, or undefined. */
export function discoveryNodeOf(pattern: string, topic: string): string | undefined {
  const prefixLevels = pattern.split('/').length;
  const levels = topic.split('/');
  if (levels.length !== prefixLevels + 4 || levels.at(-1) !== 'config') return undefined;
  return levels[prefixLevels + 1];
}
