import { metricTopic } from '../../protocol/v3/index.js';
import {
  BINARY_SENSORS,
  BUTTONS,
  CHARGE_CURRENT_MAX,
  CHARGE_CURRENT_MIN,
  type MetricSensor,
  SENSORS,
  SWITCHES,
} from './entities.js';
import {
  commandTopic,
  deviceId,
  discoveryTopic,
  lastSeenTopic,
  positionTopic,
  resultTopic,
  vehiclePrefix,
} from './topics.js';
import { vehicleModel } from './vehicle-models.js';

/** What the device card shows; the optional fields come from the car's `F` message when known. */
export interface VehicleInfo {
  readonly owner: string;
  readonly vehicleId: string;
  /** The name given to the vehicle ('' = none: the vehicle id is shown). */
  readonly name: string;
  /** Vehicle type code (`v.type`, F field 5), e.g. `NL`. */
  readonly vehicleType?: string;
  /** Module firmware (`m.version`). */
  readonly firmware?: string;
  readonly vin?: string;
}

export interface DiscoveryDocument {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
}

/** The `origin` every document carries; also how the server recognises its own documents. */
export const ORIGIN_NAME = 'ovms-server';

/** Bool metrics are `yes` / `no`. */
const YES = 'yes';
const NO = 'no';

/** The PIN Home Assistant asks for: digits only (a comma would shift the v2 command's fields). */
export const PIN_PATTERN = '^\\d{1,12}$';

/**
 * Every discovery document of one vehicle (retained, under `discoveryPrefix`): one device with its
 * sensors, binary sensors, lock, switches, buttons, number and device tracker. State topics are the
 * bridge's metric topics; command topics are `ovms/<owner>/<vehicle id>/ha/command/<action>`.
 */
export function discoveryDocuments(
  vehicle: VehicleInfo,
  discoveryPrefix: string,
  serverVersion: string,
): DiscoveryDocument[] {
  const { owner, vehicleId } = vehicle;
  const prefix = vehiclePrefix(owner, vehicleId);
  const node = deviceId(owner, vehicleId);
  const metric = (name: string) => metricTopic(prefix, name);
  const online = metric('s.v3.connected');
  const device: Record<string, unknown> = {
    identifiers: [node],
    name: vehicle.name || vehicleId,
    manufacturer: 'Open Vehicle Monitoring System',
    model: vehicleModel(vehicle.vehicleType),
  };
  if (vehicle.firmware) device.sw_version = vehicle.firmware;
  if (vehicle.vin) device.serial_number = vehicle.vin;
  const origin = { name: ORIGIN_NAME, sw_version: serverVersion };
  /** Controls are unavailable while the car is offline (a command could not reach it). */
  const availability = { availability_topic: online, payload_available: YES, payload_not_available: NO };
  const docs: DiscoveryDocument[] = [];
  const add = (component: string, key: string, fields: Record<string, unknown>) =>
    docs.push({
      topic: discoveryTopic(discoveryPrefix, component, node, key),
      payload: { unique_id: `${node}_${key}`, ...fields, device, origin },
    });

  for (const sensor of SENSORS) {
    const fields: Record<string, unknown> = { name: sensor.name, state_topic: metric(sensor.metric) };
    const template = valueTemplate(sensor);
    if (template) fields.value_template = template;
    if (sensor.unit) fields.unit_of_measurement = sensor.unit;
    if (sensor.deviceClass) fields.device_class = sensor.deviceClass;
    if (sensor.stateClass) fields.state_class = sensor.stateClass;
    if (sensor.precision !== undefined) fields.suggested_display_precision = sensor.precision;
    if (sensor.icon) fields.icon = sensor.icon;
    if (sensor.diagnostic) fields.entity_category = 'diagnostic';
    add('sensor', sensor.key, fields);
  }
  add('sensor', 'last_seen', {
    name: 'Last update',
    state_topic: lastSeenTopic(owner, vehicleId),
    device_class: 'timestamp',
    entity_category: 'diagnostic',
  });
  add('sensor', 'last_command', {
    name: 'Last command',
    state_topic: resultTopic(owner, vehicleId),
    value_template: '{{ value_json.text }}',
    json_attributes_topic: resultTopic(owner, vehicleId),
    icon: 'mdi:console',
    entity_category: 'diagnostic',
  });

  for (const binary of BINARY_SENSORS) {
    const fields: Record<string, unknown> = {
      name: binary.name,
      state_topic: metric(binary.metric),
      payload_on: YES,
      payload_off: NO,
    };
    if (binary.deviceClass) fields.device_class = binary.deviceClass;
    if (binary.diagnostic) fields.entity_category = 'diagnostic';
    add('binary_sensor', binary.key, fields);
  }

  add('lock', 'lock', {
    name: 'Lock',
    state_topic: metric('v.e.locked'),
    state_locked: YES,
    state_unlocked: NO,
    command_topic: commandTopic(owner, vehicleId, 'lock'),
    payload_lock: 'LOCK',
    payload_unlock: 'UNLOCK',
    // The PIN travels in the command only; Home Assistant's "default code" of the entity saves typing it.
    command_template: '{"action": "{{ value }}", "code": "{{ code or \'\' }}"}',
    code_format: PIN_PATTERN,
    optimistic: false,
    ...availability,
  });

  for (const sw of SWITCHES)
    add('switch', sw.key, {
      name: sw.name,
      state_topic: metric(sw.metric),
      state_on: YES,
      state_off: NO,
      command_topic: commandTopic(owner, vehicleId, sw.action),
      payload_on: 'ON',
      payload_off: 'OFF',
      optimistic: false,
      icon: sw.icon,
      ...availability,
    });

  for (const button of BUTTONS)
    add('button', button.key, {
      name: button.name,
      command_topic: commandTopic(owner, vehicleId, button.action),
      payload_press: 'PRESS',
      icon: button.icon,
      ...availability,
    });

  add('number', 'charge_current_limit', {
    name: 'Charge current limit',
    state_topic: metric('v.c.climit'),
    command_topic: commandTopic(owner, vehicleId, 'charge_current'),
    min: CHARGE_CURRENT_MIN,
    max: CHARGE_CURRENT_MAX,
    step: 1,
    mode: 'box',
    unit_of_measurement: 'A',
    device_class: 'current',
    optimistic: false,
    ...availability,
  });

  add('device_tracker', 'location', {
    name: 'Location',
    json_attributes_topic: positionTopic(owner, vehicleId),
    source_type: 'gps',
    icon: 'mdi:car',
  });
  return docs;
}

/**
 * Vector elements and "unknown" conventions need a template; plain metric values need none. `None`
 * is what Home Assistant's MQTT sensors take as unknown. An element is passed on as the module sent
 * it when it is a number (not NaN), else unknown: `float(none)` gives none for what is no number,
 * as Jinja's and Home Assistant's float filters do with a default.
 */
function valueTemplate(sensor: MetricSensor): string | undefined {
  if (sensor.element !== undefined) {
    const i = sensor.element;
    return `{% set v = value.split(',') %}{% set x = v[${i}] | float(none) if v | length > ${i} else none %}{{ v[${i}] if x is number and x == x else None }}`;
  }
  if (sensor.negativeUnknown) return '{{ value if value | float(-1) >= 0 else None }}';
  return undefined;
}
