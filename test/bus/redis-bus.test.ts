import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisBus } from '../../src/bus/redis-bus.js';
import { busConformance } from './conformance.js';

const url = process.env.OVMS_TEST_REDIS ?? 'redis://127.0.0.1:6379';

busConformance('RedisBus', {
  async makeNodes(n) {
    // A fresh prefix per test: tests never see each other's keys, and run against the real Redis.
    const prefix = `ovms-test:${randomUUID()}:`;
    const nodes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        RedisBus.connect({ url, nodeId: `node${i + 1}`, prefix, leaseMs: 600 }),
      ),
    );
    const cleanup = async () => {
      await Promise.all(nodes.map((b) => b.close()));
      const redis = new Redis(url);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    };
    return { nodes, cleanup };
  },
  crash: (node) => (node as RedisBus).crashForTests(),
});

test('RedisBus renews its claims with its lease: the expiry of the key is pushed back while the node lives', async (t) => {
  const prefix = `ovms-test:${randomUUID()}:`;
  const bus = await RedisBus.connect({ url, nodeId: 'node1', prefix, leaseMs: 600 });
  const redis = new Redis(url);
  t.after(async () => {
    await bus.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  assert.equal(await bus.claim('v3:1/CAR'), true);
  const key = `${prefix}claim:v3:1/CAR`;
  const first = await redis.pttl(key);
  assert.ok(first > 0 && first <= 600, `expiry ${first}`);
  // The heartbeat (every lease / 3) sets it back to the whole lease: wait to see it go up.
  let last = first;
  for (;;) {
    const now = await redis.pttl(key);
    assert.ok(now > 0, 'the claim lapsed while its node lived');
    if (now > last) break;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await bus.release('v3:1/CAR');
  assert.equal(await redis.exists(key), 0, 'released: the key is gone');
});
