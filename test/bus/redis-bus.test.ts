import { randomUUID } from 'node:crypto';
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
