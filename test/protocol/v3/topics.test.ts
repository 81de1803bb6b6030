import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  activeTopic,
  commandTopic,
  configReplyLevels,
  configReplyTopic,
  configRequestPayload,
  connectedTopic,
  defaultTopicPrefix,
  eventTopic,
  metricToPath,
  metricTopic,
  moduleSubscriptions,
  notifyDataTopic,
  notifyTopic,
  parseTopic,
  prefixProblem,
  requestConfigTopic,
  requestMetricTopic,
  responseTopic,
  splitDefaultPrefix,
  TopicError,
  type V3Topic,
  vehicleFilter,
} from '../../../src/protocol/v3/index.js';

const PREFIX = 'ovms/alice/DEMO1/';

function parsed(topic: string, prefix = PREFIX): V3Topic {
  const result = parseTopic(topic, prefix);
  assert.ok(result.ok, `${topic}: ${result.ok ? '' : result.reason}`);
  return result.topic;
}

test('the default prefix is ovms/<user>/<vehicle id>/, or ovms/<user>/ without a vehicle id', () => {
  assert.equal(defaultTopicPrefix('alice', 'DEMO1'), PREFIX);
  assert.equal(defaultTopicPrefix('alice', ''), 'ovms/alice/');
  assert.throws(() => defaultTopicPrefix('', 'DEMO1'), TopicError);
  assert.throws(() => defaultTopicPrefix('al+ce', 'DEMO1'), /wildcard/);
  assert.throws(() => defaultTopicPrefix('alice', 'DE/MO'), /"\/" inside/);
});

test('a custom prefix must end with "/" and have no empty or wildcard levels', () => {
  assert.equal(prefixProblem('fleet/car7/'), undefined);
  assert.match(prefixProblem('fleet/car7') ?? '', /must end with "\/"/);
  assert.match(prefixProblem('fleet//car7/') ?? '', /empty topic level/);
  assert.match(prefixProblem('/fleet/') ?? '', /empty topic level/);
  assert.match(prefixProblem('fleet/#/') ?? '', /wildcard/);
  assert.match(prefixProblem('$SYS/') ?? '', /\$/);
  assert.equal(metricTopic('fleet/car7/', 'v.b.soc'), 'fleet/car7/metric/v/b/soc');
  assert.throws(() => metricTopic('fleet/car7', 'v.b.soc'), /must end with/);
});

test('metric names ↔ topics: every dot is a level', () => {
  assert.equal(metricToPath('v.b.12v.voltage.ref'), 'v/b/12v/voltage/ref');
  assert.equal(metricTopic(PREFIX, 'v.b.soc'), 'ovms/alice/DEMO1/metric/v/b/soc');
  assert.equal(connectedTopic(PREFIX), 'ovms/alice/DEMO1/metric/s/v3/connected');
  assert.deepEqual(parsed('ovms/alice/DEMO1/metric/v/b/12v/voltage/ref'), {
    kind: 'metric',
    metric: 'v.b.12v.voltage.ref',
  });
  assert.deepEqual(parsed('ovms/alice/DEMO1/metric/xrt/b/u/soc/min'), {
    kind: 'metric',
    metric: 'xrt.b.u.soc.min',
  });
  for (const bad of ['v..soc', '.v.soc', 'v.soc.', 'v.+.soc', 'v.#', 'v/b', '']) {
    assert.throws(() => metricToPath(bad), TopicError, bad);
  }
});

test('topics that cannot be parsed say why', () => {
  const reasons = (topic: string) => {
    const result = parseTopic(topic, PREFIX);
    assert.equal(result.ok, false, topic);
    return result.ok ? '' : `${result.error}: ${result.reason}`;
  };
  assert.match(reasons('ovms/bob/DEMO1/metric/v/b/soc'), /^outside-prefix/);
  assert.match(reasons('ovms/alice/DEMO1/metric/v//soc'), /^invalid: empty topic level/);
  assert.match(reasons('ovms/alice/DEMO1/metric/v/+/soc'), /^invalid: wildcard/);
  assert.match(reasons('ovms/alice/DEMO1/metric/v/b/#'), /^invalid: wildcard/);
  assert.match(reasons('ovms/alice/DEMO1/metric'), /^invalid: no metric name/);
  assert.match(reasons('ovms/alice/DEMO1/metric/v.b.soc'), /^invalid: "\." inside/);
  assert.match(reasons('ovms/alice/DEMO1/status'), /^unknown/);
  assert.match(reasons('ovms/alice/DEMO1/notify/warning/x'), /^unknown: unknown notification type/);
  assert.match(reasons('ovms/alice/DEMO1/notify/data/log/57'), /^invalid: notify\/data needs/);
  assert.match(reasons('ovms/alice/DEMO1/client/rr/command'), /^unknown: unknown client topic/);
  assert.match(reasons('ovms/alice/DEMO1/client/rr/command/1/2'), /^unknown/);
  assert.match(reasons('ovms/alice/DEMO1/'), /^invalid: empty topic level/);
  const badPrefix = parseTopic('x/metric/v', 'x');
  assert.equal(badPrefix.ok, false);
});

test('notifications: the 3.3.005+ subtype path and the older dotted subtype read the same', () => {
  assert.deepEqual(parsed('ovms/alice/DEMO1/notify/alert/charge/stopped'), {
    kind: 'notify',
    type: 'alert',
    subtype: 'charge.stopped',
  });
  assert.deepEqual(parsed('ovms/alice/DEMO1/notify/alert/charge.stopped'), {
    kind: 'notify',
    type: 'alert',
    subtype: 'charge.stopped',
  });
  assert.deepEqual(parsed('ovms/alice/DEMO1/notify/error/code'), {
    kind: 'notify',
    type: 'error',
    subtype: 'code',
  });
  assert.deepEqual(parsed('ovms/alice/DEMO1/notify/data/log/trip/57/-3'), {
    kind: 'notify-data',
    subtype: 'log.trip',
    id: '57',
    age: '-3',
  });
  assert.equal(
    notifyTopic(PREFIX, 'info', 'modem.received.ussd'),
    'ovms/alice/DEMO1/notify/info/modem/received/ussd',
  );
  assert.equal(
    notifyDataTopic(PREFIX, 'log.trip', '57', '-3'),
    'ovms/alice/DEMO1/notify/data/log/trip/57/-3',
  );
});

test('events: the legacy topic and the per-event topics', () => {
  assert.deepEqual(parsed('ovms/alice/DEMO1/event'), { kind: 'event-legacy' });
  assert.deepEqual(parsed('ovms/alice/DEMO1/event/vehicle/charge/start'), {
    kind: 'event',
    event: 'vehicle.charge.start',
  });
  assert.equal(eventTopic(PREFIX, 'vehicle.charge.start'), 'ovms/alice/DEMO1/event/vehicle/charge/start');
});

test('client topics: active, command, response, requests and config replies', () => {
  assert.equal(activeTopic(PREFIX, 'ovms-srv'), 'ovms/alice/DEMO1/client/ovms-srv/active');
  assert.equal(commandTopic(PREFIX, 'ovms-srv', '17'), 'ovms/alice/DEMO1/client/ovms-srv/command/17');
  assert.equal(responseTopic(PREFIX, 'ovms-srv', '17'), 'ovms/alice/DEMO1/client/ovms-srv/response/17');
  assert.equal(requestMetricTopic(PREFIX, 'rr'), 'ovms/alice/DEMO1/client/rr/request/metric');
  assert.equal(requestConfigTopic(PREFIX, 'rr'), 'ovms/alice/DEMO1/client/rr/request/config');
  assert.equal(configRequestPayload('vehicle', 'units.distance'), 'vehicle/units.distance');
  assert.equal(
    configReplyTopic(PREFIX, 'rr', 'vehicle', 'units.distance'),
    'ovms/alice/DEMO1/client/rr/config/vehicle/units/distance',
  );
  assert.deepEqual(parsed('ovms/alice/DEMO1/client/rr/active'), { kind: 'client-active', clientId: 'rr' });
  assert.deepEqual(parsed('ovms/alice/DEMO1/client/rr/command/a1b2c3d4'), {
    kind: 'client-command',
    clientId: 'rr',
    commandId: 'a1b2c3d4',
  });
  assert.deepEqual(parsed('ovms/alice/DEMO1/client/rr/response/a1b2c3d4'), {
    kind: 'client-response',
    clientId: 'rr',
    commandId: 'a1b2c3d4',
  });
  assert.deepEqual(parsed('ovms/alice/DEMO1/client/rr/request/metric'), {
    kind: 'client-request-metric',
    clientId: 'rr',
  });
  assert.deepEqual(parsed('ovms/alice/DEMO1/client/rr/request/config'), {
    kind: 'client-request-config',
    clientId: 'rr',
  });
  const reply = parsed('ovms/alice/DEMO1/client/rr/config/vehicle/units/distance');
  assert.deepEqual(reply, {
    kind: 'client-config',
    clientId: 'rr',
    levels: ['vehicle', 'units', 'distance'],
  });
  assert.deepEqual(configReplyLevels('vehicle', 'units.distance'), ['vehicle', 'units', 'distance']);
  assert.throws(() => commandTopic(PREFIX, 'r+r', '1'), /wildcard/);
  assert.throws(() => commandTopic(PREFIX, 'rr', ''), /empty topic level/);
  assert.throws(() => activeTopic(PREFIX, 'a/b'), /"\/" inside/);
});

test('subscriptions: what the module subscribes to, and a bridge filter for the whole vehicle', () => {
  assert.deepEqual(moduleSubscriptions(PREFIX), [
    'ovms/alice/DEMO1/client/+/active',
    'ovms/alice/DEMO1/client/+/command/+',
    'ovms/alice/DEMO1/client/+/request/metric',
    'ovms/alice/DEMO1/client/+/request/config',
  ]);
  assert.equal(vehicleFilter(PREFIX), 'ovms/alice/DEMO1/#');
});

test('splitDefaultPrefix finds owner and vehicle in a default-layout topic', () => {
  assert.deepEqual(splitDefaultPrefix('ovms/alice/DEMO1/metric/v/b/soc'), {
    user: 'alice',
    vehicleId: 'DEMO1',
    prefix: PREFIX,
    rest: 'metric/v/b/soc',
  });
  assert.equal(splitDefaultPrefix('ovms/alice/DEMO1'), undefined);
  assert.equal(splitDefaultPrefix('fleet/alice/DEMO1/metric/v'), undefined);
  assert.equal(splitDefaultPrefix('ovms//DEMO1/metric/v'), undefined);
});
