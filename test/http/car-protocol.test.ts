import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VehicleConnected, VehicleList } from '../../src/http/schemas.js';
import { startServer } from '../helpers/harness.js';
import { mqttConnect } from '../helpers/mqtt-client.js';
import { Api, assertJson } from './api-client.js';

test('v_car_protocol says how each car is connected: v2, v3 (MQTT) or not at all', async (t) => {
  const h = await startServer(t, { mqtt: { mqtt: 0 } });
  await h.addVehicle('V2CAR', 'secret-2');
  await h.addVehicle('V3CAR', 'secret-3');
  await h.addVehicle('IDLE', 'secret-i');
  await h.server.bridge!.ready;
  const api = new Api(h);
  const protocols = async () => {
    const list = assertJson(
      await api.withPassword('GET', '/api/vehicles', { query: { include: 'protocol' } }),
      200,
      VehicleList,
    ) as { id: string; v_car_protocol?: string }[];
    return Object.fromEntries(list.map((row) => [row.id, row.v_car_protocol]));
  };
  assert.deepEqual(await protocols(), { IDLE: '', V2CAR: '', V3CAR: '' });

  const car = await h.connect('C', 'V2CAR', 'secret-2');
  await car.nextOf('Z');
  const app = await h.connect('A', 'V3CAR', 'secret-3');
  assert.equal(await app.nextOf('Z'), 'Z0');
  const prefix = 'ovms/owner/V3CAR/';
  const module = await mqttConnect(`mqtt://127.0.0.1:${h.server.ports.mqtt}`, {
    username: 'V3CAR',
    password: 'secret-3',
    clientId: 'V3CAR',
    will: { topic: `${prefix}metric/s/v3/connected`, payload: Buffer.from('no'), qos: 0, retain: true },
  });
  await module.publishAsync(`${prefix}metric/v/b/soc`, '50', { retain: true });
  await module.publishAsync(`${prefix}metric/s/v3/connected`, 'yes', { retain: true });
  while ((await app.nextOf('Z')) !== 'Z1');
  assert.deepEqual(await protocols(), { IDLE: '', V2CAR: 'v2', V3CAR: 'v3' });

  // The reference's row is unchanged unless asked (Home Assistant refuses rows with other keys).
  const plain = assertJson(await api.withPassword('GET', '/api/vehicles'), 200, VehicleList) as object[];
  assert.ok(plain.every((row) => !('v_car_protocol' in row)));
  for (const [id, protocol] of [
    ['V2CAR', 'v2'],
    ['V3CAR', 'v3'],
    ['IDLE', ''],
  ] as const) {
    const one = assertJson(await api.withPassword('GET', `/api/vehicle/${id}`), 200, VehicleConnected);
    assert.equal((one as { v_car_protocol: string }).v_car_protocol, protocol, id);
  }
  assert.equal((await api.withPassword('GET', '/api/vehicles', { query: { include: 'other' } })).status, 400);

  module.stream.destroy();
  while ((await app.nextOf('Z')) !== 'Z0');
  assert.equal((await protocols()).V3CAR, '');
});
