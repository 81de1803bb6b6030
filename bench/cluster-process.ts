import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { seed, spawnServer } from './server-process.js';

const PG_ADMIN = process.env.OVMS_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.OVMS_BENCH_REDIS ?? 'redis://127.0.0.1:6379';

export interface BenchCluster {
  ports: number[];
  stop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * `nodes` server processes sharing a fresh PostgreSQL database and Redis (the scale-out set-up of
 * docs/deployment.md), each on its own port, from the compiled dist/ when present.
 */
export async function startBenchCluster(nodes: number, vehicles: number): Promise<BenchCluster> {
  const dbName = `ovms_bench_${process.pid}_${Date.now()}`;
  await admin(`CREATE DATABASE ${dbName}`);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${dbName}`;
  const dbUrl = url.toString();
  await seed(dbUrl, vehicles);
  const prefix = `ovms-bench:${randomUUID()}:`;
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  for (let i = 0; i < nodes; i++) {
    const { child, port } = await spawnServer(dbUrl, ['--bus', REDIS, '--node-id', `bench${i + 1}`], {
      OVMS_BUS_PREFIX: prefix,
    });
    children.push(child);
    ports.push(port);
  }
  return {
    ports,
    stop: async () => {
      await Promise.all(
        children.map((c) => {
          const exited = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          return exited;
        }),
      );
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      const redis = new Redis(REDIS);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
