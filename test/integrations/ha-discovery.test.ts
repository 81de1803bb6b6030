import assert from 'node:assert/strict';
import { test } from 'node:test';
import { haCommand } from '../../src/integrations/home-assistant/commands.js';
import { discoveryDocuments, ORIGIN_NAME } from '../../src/integrations/home-assistant/discovery.js';
import { positionPayload } from '../../src/integrations/home-assistant/position.js';
import {
  deviceId,
  discoveryFilter,
  discoveryNodeOf,
  discoveryPrefixFor,
  parseCommandTopic,
  parseCoordinateTopic,
} from '../../src/integrations/home-assistant/topics.js';

const VEHICLE = {
  owner: 'alice',
  vehicleId: 'MYCAR',
  name: 'My car',
  vehicleType: 'NL',
  firmware: '3.3.004-32-g125e0841/ota_0/edge (build idf v3.3.4-849-g6e214dc335 Jan  8 2024 12:37:55)',
  vin: 'SJNFAAZE0U6012345',
};

const docs = discoveryDocuments(VEHICLE, 'homeassistant', 'ovms-server/1.2.3');
const byKey = new Map(docs.map((d) => [String(d.payload.unique_id).replace('ovms_alice_MYCAR_', ''), d]));
const doc = (key: string) => {
  const d = byKey.get(key);
  assert.ok(d, `no document ${key}`);
  return d;
};

test('every document: topic <prefix>/<component>/<node>/<object>/config, the fields Home Assistant requires', () => {
  const components = new Set<string>();
  const uniqueIds = new Set<string>();
  for (const d of docs) {
    const [prefix, component, node, object, config, ...rest] = d.topic.split('/');
    assert.equal(prefix, 'homeassistant');
    assert.equal(node, 'ovms_alice_MYCAR');
    assert.equal(config, 'config');
    assert.deepEqual(rest, []);
    assert.match(object!, /^[a-z0-9_]+$/);
    components.add(component!);
    const p = JSON.parse(JSON.stringify(d.payload)) as Record<string, unknown>;
    assert.equal(typeof p.unique_id, 'string');
    assert.ok(!uniqueIds.has(p.unique_id as string), `duplicate unique_id ${p.unique_id}`);
    uniqueIds.add(p.unique_id as string);
    assert.equal(typeof p.name, 'string');
    assert.deepEqual(p.device, {
      identifiers: ['ovms_alice_MYCAR'],
      name: 'My car',
      manufacturer: 'Open Vehicle Monitoring System',
      model: 'Nissan Leaf / e-NV200 (NL)',
      sw_version: VEHICLE.firmware,
      serial_number: VEHICLE.vin,
    });
    assert.deepEqual(p.origin, { name: ORIGIN_NAME, sw_version: 'ovms-server/1.2.3' });
    // What each platform needs to work at all.
    if (['sensor', 'binary_sensor'].includes(component!)) assert.equal(typeof p.state_topic, 'string');
    if (['lock', 'switch', 'button', 'number'].includes(component!)) {
      assert.match(p.command_topic as string, /^ovms\/alice\/MYCAR\/ha\/command\/[a-z0-9_]+$/);
      assert.equal(p.availability_topic, 'ovms/alice/MYCAR/metric/s/v3/connected');
      assert.equal(p.payload_available, 'yes');
      assert.equal(p.payload_not_available, 'no');
    }
    if (component === 'device_tracker') assert.equal(p.json_attributes_topic, 'ovms/alice/MYCAR/ha/position');
  }
  assert.deepEqual([...components].sort(), [
    'binary_sensor',
    'button',
    'device_tracker',
    'lock',
    'number',
    'sensor',
    'switch',
  ]);
});

test('sensors read the bridge metric topics in their native units, with the matching device classes', () => {
  const expect: [string, string, string | undefined, string | undefined, string | undefined][] = [
    ['soc', 'ovms/alice/MYCAR/metric/v/b/soc', '%', 'battery', 'measurement'],
    ['range_est', 'ovms/alice/MYCAR/metric/v/b/range/est', 'km', 'distance', 'measurement'],
    ['range_ideal', 'ovms/alice/MYCAR/metric/v/b/range/ideal', 'km', 'distance', 'measurement'],
    ['charge_state', 'ovms/alice/MYCAR/metric/v/c/state', undefined, undefined, undefined],
    ['charge_power', 'ovms/alice/MYCAR/metric/v/c/power', 'kW', 'power', 'measurement'],
    ['battery_power', 'ovms/alice/MYCAR/metric/v/b/power', 'kW', 'power', 'measurement'],
    ['charged_energy', 'ovms/alice/MYCAR/metric/v/c/kwh', 'kWh', 'energy', 'total_increasing'],
    ['odometer', 'ovms/alice/MYCAR/metric/v/p/odometer', 'km', 'distance', 'total_increasing'],
    ['battery_12v', 'ovms/alice/MYCAR/metric/v/b/12v/voltage', 'V', 'voltage', 'measurement'],
    ['temp_battery', 'ovms/alice/MYCAR/metric/v/b/temp', '°C', 'temperature', 'measurement'],
    ['temp_cabin', 'ovms/alice/MYCAR/metric/v/e/cabintemp', '°C', 'temperature', 'measurement'],
    ['tyre_front_left', 'ovms/alice/MYCAR/metric/v/t/pressure', 'kPa', 'pressure', 'measurement'],
    ['speed', 'ovms/alice/MYCAR/metric/v/p/speed', 'km/h', 'speed', 'measurement'],
    ['last_seen', 'ovms/alice/MYCAR/ha/last_seen', undefined, 'timestamp', undefined],
  ];
  for (const [key, topic, unit, deviceClass, stateClass] of expect) {
    const p = doc(key).payload;
    assert.equal(p.state_topic, topic, key);
    assert.equal(p.unit_of_measurement, unit, key);
    assert.equal(p.device_class, deviceClass, key);
    assert.equal(p.state_class, stateClass, key);
  }
  // Tyres: one element of the vector each, in the order FL, FR, RL, RR.
  assert.match(String(doc('tyre_front_left').payload.value_template), /v\[0\]/);
  assert.match(String(doc('tyre_rear_right').payload.value_template), /v\[3\]/);
  assert.equal(doc('charge_time_full').payload.unit_of_measurement, 'min');
});

test('binary sensors: yes/no metrics with device classes; online reads s.v3.connected', () => {
  const expect: [string, string, string][] = [
    ['charging', 'v/c/charging', 'battery_charging'],
    ['plugged_in', 'v/c/pilot', 'plug'],
    ['car_on', 'v/e/on', 'power'],
    ['door_front_left', 'v/d/fl', 'door'],
    ['door_rear_right', 'v/d/rr', 'door'],
    ['trunk', 'v/d/trunk', 'opening'],
    ['online', 's/v3/connected', 'connectivity'],
  ];
  for (const [key, path, deviceClass] of expect) {
    const p = doc(key).payload;
    assert.equal(p.state_topic, `ovms/alice/MYCAR/metric/${path}`, key);
    assert.equal(p.device_class, deviceClass, key);
    assert.equal(p.payload_on, 'yes');
    assert.equal(p.payload_off, 'no');
  }
});

test('lock, switches, buttons, number: state from metrics, commands on ha/command/<action>', () => {
  const lock = doc('lock').payload;
  assert.equal(lock.state_topic, 'ovms/alice/MYCAR/metric/v/e/locked');
  assert.equal(lock.state_locked, 'yes');
  assert.equal(lock.state_unlocked, 'no');
  assert.equal(lock.command_topic, 'ovms/alice/MYCAR/ha/command/lock');
  assert.match(String(lock.command_template), /\{\{ code/);
  assert.equal(typeof lock.code_format, 'string');
  assert.equal(doc('charging_switch').payload.state_topic, 'ovms/alice/MYCAR/metric/v/c/charging');
  assert.equal(doc('climate').payload.command_topic, 'ovms/alice/MYCAR/ha/command/climate');
  assert.equal(doc('wakeup').payload.command_topic, 'ovms/alice/MYCAR/ha/command/wakeup');
  assert.equal(doc('homelink2').payload.command_topic, 'ovms/alice/MYCAR/ha/command/homelink2');
  const number = doc('charge_current_limit').payload;
  assert.equal(number.state_topic, 'ovms/alice/MYCAR/metric/v/c/climit');
  assert.equal(number.unit_of_measurement, 'A');
  assert.equal(typeof number.min, 'number');
  assert.equal(typeof number.max, 'number');
});

test('a car never heard from: the vehicle id as name, a generic model, no firmware or VIN', () => {
  const bare = discoveryDocuments({ owner: 'bob', vehicleId: 'X1', name: '' }, 'hp', 'v');
  assert.deepEqual(bare[0]!.payload.device, {
    identifiers: ['ovms_bob_X1'],
    name: 'X1',
    manufacturer: 'Open Vehicle Monitoring System',
    model: 'OVMS vehicle',
  });
  const other = discoveryDocuments({ owner: 'bob', vehicleId: 'X1', name: '', vehicleType: 'ZZ' }, 'hp', 'v');
  assert.equal((other[0]!.payload.device as { model: string }).model, 'Vehicle type ZZ');
});

test('Home Assistant commands become the v2 commands of the HTTP control routes', () => {
  assert.deepEqual(haCommand('lock', '{"action": "LOCK", "code": "1234"}'), {
    ok: true,
    code: 20,
    params: ['1234'],
  });
  assert.deepEqual(haCommand('lock', '{"action": "UNLOCK", "code": "0042"}'), {
    ok: true,
    code: 22,
    params: ['0042'],
  });
  // No PIN, or one that could shift the command's fields: refused before anything is sent.
  assert.equal(haCommand('lock', '{"action": "LOCK", "code": ""}').ok, false);
  assert.equal(haCommand('lock', '{"action": "LOCK", "code": "12,34"}').ok, false);
  assert.equal(haCommand('lock', 'LOCK').ok, false);
  assert.deepEqual(haCommand('charge', 'ON'), { ok: true, code: 11, params: [] });
  assert.deepEqual(haCommand('charge', 'OFF'), { ok: true, code: 12, params: [] });
  assert.deepEqual(haCommand('climate', 'ON'), { ok: true, code: 26, params: ['1'] });
  assert.deepEqual(haCommand('climate', 'OFF'), { ok: true, code: 26, params: ['0'] });
  assert.deepEqual(haCommand('wakeup', 'PRESS'), { ok: true, code: 18, params: [] });
  assert.deepEqual(haCommand('homelink1', 'PRESS'), { ok: true, code: 24, params: ['0'] });
  assert.deepEqual(haCommand('homelink3', 'PRESS'), { ok: true, code: 24, params: ['2'] });
  assert.deepEqual(haCommand('charge_current', '16'), { ok: true, code: 15, params: ['16'] });
  assert.deepEqual(haCommand('charge_current', '16.0'), { ok: true, code: 15, params: ['16'] });
  assert.equal(haCommand('charge_current', '16.5').ok, false);
  assert.equal(haCommand('charge_current', '0').ok, false);
  assert.equal(haCommand('charge_current', '').ok, false);
  assert.equal(haCommand('charge', 'maybe').ok, false);
});

test('topics: commands and coordinates parsed, device ids safe for Home Assistant, {owner} prefixes', () => {
  assert.deepEqual(parseCommandTopic('ovms/alice/MYCAR/ha/command/lock'), {
    owner: 'alice',
    vehicleId: 'MYCAR',
    action: 'lock',
  });
  assert.equal(parseCommandTopic('ovms/alice/MYCAR/ha/command/reboot'), undefined);
  assert.equal(parseCommandTopic('ovms/alice/MYCAR/client/x/command/lock'), undefined);
  assert.deepEqual(parseCoordinateTopic('ovms/alice/MYCAR/metric/v/p/latitude'), {
    owner: 'alice',
    vehicleId: 'MYCAR',
    axis: 'latitude',
  });
  assert.equal(parseCoordinateTopic('ovms/alice/MYCAR/metric/v/p/altitude'), undefined);
  assert.equal(deviceId('alice', 'MYCAR'), 'ovms_alice_MYCAR');
  const dotted = deviceId('a.b', 'CAR');
  assert.match(dotted, /^ovms_a_b_CAR_[0-9a-f]{8}$/);
  assert.notEqual(dotted, deviceId('a_b', 'CAR'));
  assert.equal(discoveryPrefixFor('ovms/{owner}/homeassistant', 'alice'), 'ovms/alice/homeassistant');
  assert.equal(discoveryFilter('ovms/{owner}/homeassistant'), 'ovms/+/homeassistant/+/+/+/config');
  assert.equal(
    discoveryNodeOf('ovms/{owner}/homeassistant', 'ovms/alice/homeassistant/sensor/ovms_alice_X/soc/config'),
    'ovms_alice_X',
  );
  assert.equal(discoveryNodeOf('homeassistant', 'homeassistant/sensor/x/config'), undefined);
});

test('position: both coordinates, within range, not 0,0', () => {
  assert.equal(positionPayload(52.5, 13.4), '{"latitude":52.5,"longitude":13.4}');
  assert.equal(positionPayload(52.5, undefined), undefined);
  assert.equal(positionPayload(0, 0), undefined);
  assert.equal(positionPayload(91, 0), undefined);
});
