import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isTopicSafeName } from '../../src/auth/account-names.js';
import {
  type BrokerIdentity,
  hasRightsFor,
  mayPublish,
  maySubscribe,
  ownsTopic,
} from '../../src/mqtt/access-rules.js';
import { PacketSizer } from '../../src/mqtt/packet-sizer.js';
import { PublishPacer } from '../../src/mqtt/publish-pacer.js';
import { RetainedQuota } from '../../src/mqtt/retained-quota.js';

const alice: BrokerIdentity = { kind: 'owner', ownerId: 1, owner: 'alice' };
const car: BrokerIdentity = { kind: 'vehicle', ownerId: 1, owner: 'alice', vehicleId: 'CAR1' };

test('topic access: prefix levels literal, wildcards only after the prefix, none in published topics', () => {
  assert.ok(mayPublish(alice, 'ovms/alice/CAR1/metric/v/b/soc'));
  assert.ok(!mayPublish(alice, 'ovms/alice'));
  assert.ok(!mayPublish(alice, 'ovms/alicex/CAR1/m'));
  assert.ok(!mayPublish(alice, 'ovms/bob/CAR1/m'));
  assert.ok(!mayPublish(alice, 'ovms/alice/+/m'));
  assert.ok(maySubscribe(alice, 'ovms/alice/#'));
  assert.ok(maySubscribe(alice, 'ovms/alice/+/metric/#'));
  for (const f of ['ovms/+/#', 'ovms/#', '#', '+/alice/#', 'ovms/alice', 'ovms/al+ce/#'])
    assert.ok(!maySubscribe(alice, f), f);
  assert.ok(mayPublish(car, 'ovms/alice/CAR1/metric/v/b/soc'));
  assert.ok(maySubscribe(car, 'ovms/alice/CAR1/client/+/command/+'));
  for (const f of ['ovms/alice/#', 'ovms/alice/+/client/#', 'ovms/alice/CAR2/#', 'ovms/alice/CAR1'])
    assert.ok(!maySubscribe(car, f), f);
  // A name that cannot be a topic level owns nothing, even topics that would match it literally.
  const wild: BrokerIdentity = { kind: 'owner', ownerId: 2, owner: '+' };
  assert.ok(!maySubscribe(wild, 'ovms/+/#'));
  // The /mqapi rule is the same one.
  assert.ok(ownsTopic('alice', 'ovms/alice/CAR1/#'));
  assert.ok(!ownsTopic('alice', 'ovms/+/CAR1/#'));
  assert.ok(!ownsTopic('#', 'ovms/#/x'));
});

test('rights: a car command topic needs vehicle.control, a module shell command vehicle.shell; every other topic only topic access', () => {
  const command = 'ovms/alice/CAR1/ha/command/lock';
  for (const permit of ['*', 'mqtt,vehicle.control', 'v2', 'vehicle.shell'])
    assert.ok(hasRightsFor(permit, command), permit);
  for (const permit of ['mqtt', 'v3', 'auth', 'mqtt,vehicle.read'])
    assert.ok(!hasRightsFor(permit, command), permit);
  const shell = 'ovms/alice/CAR1/client/ha1/command/7';
  for (const permit of ['*', 'mqtt,vehicle.shell', 'v2']) assert.ok(hasRightsFor(permit, shell), permit);
  for (const permit of ['mqtt', 'v3', 'mqtt,vehicle.control', 'mqtt,vehicle.read'])
    assert.ok(!hasRightsFor(permit, shell), permit);
  for (const topic of [
    'ovms/alice/CAR1/metric/v/b/soc',
    'ovms/alice/CAR1/client/ha1/active',
    'ovms/alice/CAR1/client/ha1/command',
    'ovms/alice/CAR1/ha/position',
    'ovms/alice/ha/command/x',
  ])
    assert.ok(hasRightsFor('mqtt', topic), topic);
});

test('topic access compared in place agrees with the rule level by level (the topic split at "/")', () => {
  const byLevels = (levels: string[], topic: string, filter: boolean) => {
    if (!levels.every(isTopicSafeName)) return false;
    const parts = topic.split('/');
    if (parts.length <= levels.length || levels.some((l, i) => parts[i] !== l)) return false;
    return filter || !parts.some((p) => p.includes('+') || p.includes('#'));
  };
  const level = fc.constantFrom('ovms', 'alice', 'CAR1', 'al', 'ice', '', '+', '#', 'a/b', 'x');
  const topic = fc.array(level, { maxLength: 6 }).map((l) => l.join('/'));
  fc.assert(
    fc.property(level, level, topic, (owner, vehicleId, t) => {
      const o: BrokerIdentity = { kind: 'owner', ownerId: 1, owner };
      const v: BrokerIdentity = { kind: 'vehicle', ownerId: 1, owner, vehicleId };
      assert.equal(mayPublish(o, t), byLevels(['ovms', owner], t, false));
      assert.equal(maySubscribe(o, t), byLevels(['ovms', owner], t, true));
      assert.equal(mayPublish(v, t), byLevels(['ovms', owner, vehicleId], t, false));
      assert.equal(maySubscribe(v, t), byLevels(['ovms', owner, vehicleId], t, true));
      assert.equal(ownsTopic(owner, t), byLevels(['ovms', owner], t, true));
    }),
    { numRuns: 2000 },
  );
});

test('packet sizer: refuses a packet whose header announces more than the limit, at any chunk boundary', () => {
  // PUBLISH with remaining length 200 (0xC8 0x01), then 200 bytes; then a PINGREQ.
  const big = Buffer.concat([Buffer.from([0x30, 0xc8, 0x01]), Buffer.alloc(200), Buffer.from([0xc0, 0x00])]);
  for (let split = 0; split <= big.length; split++) {
    const ok = new PacketSizer(203);
    assert.equal(ok.push(big.subarray(0, split)), undefined);
    assert.equal(ok.push(big.subarray(split)), undefined);
  }
  const small = new PacketSizer(202);
  assert.match(
    small.push(big.subarray(0, 3)) ?? '',
    /packet of 203 bytes, larger than mqtt.max_packet_size \(202\)/,
  );
  assert.match(small.push(Buffer.from([0xc0, 0x00])) ?? '', /203 bytes/);
  assert.match(new PacketSizer(1e9).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff])) ?? '', /malformed/);
});

test('publish pacer: a burst at once, then one message per interval, in order', () => {
  let now = 1000;
  const pacer = new PublishPacer(10, 3, () => now);
  assert.deepEqual([pacer.next(), pacer.next(), pacer.next()], [0, 0, 0]);
  assert.deepEqual([pacer.next(), pacer.next()], [100, 200]);
  now += 1000;
  assert.equal(pacer.next(), 0);
  assert.equal(new PublishPacer(0, 0, () => now).next(), 0);
});

test('retained quota: per owner, topics and bytes; clearing and replacing count right; the server is counted, not refused', () => {
  const q = new RetainedQuota(2, 100);
  assert.ok(q.retain('ovms/a/C/1', 10));
  assert.ok(q.retain('ovms/a/C/1', 20));
  assert.ok(q.retain('ovms/a/C/2', 10));
  assert.ok(!q.retain('ovms/a/C/3', 1));
  assert.ok(q.retain('ovms/b/C/3', 1));
  assert.ok(q.retain('ovms/a/C/1', 0));
  assert.ok(q.retain('ovms/a/C/3', 1));
  assert.equal(q.countOf('ovms/a/x'), 2);
  assert.ok(!q.retain('ovms/a/C/2', 200));
  assert.ok(q.retain('ovms/a/C/4', 1, true));
  assert.equal(q.countOf('ovms/a/x'), 3);
});
