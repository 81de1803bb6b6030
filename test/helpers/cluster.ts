import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { hashPassword } from '../../src/auth/passwords.js';
import { openStore } from '../../src/store/open-store.js';
import { freePort } from '../hardening/server-process.js';
import { createPostgresDatabase } from './databases.js';

const ROOT = new URL('../../', import.meta.url).pathname;
export const REDIS_URL = process.env.OVMS_TEST_REDIS ?? 'redis://127.0.0.1:6379';

export interface ClusterNode {
  id: string;
  port: number;
  httpPort: number;
  process: ChildProcess;
  /** Everything the node printed. */
  output: string[];
}

/**
 * Starts `n` real server processes on loopback ports, sharing one fresh PostgreSQL database and one
 * Redis (with a key prefix of their own), as a scaled-out deployment runs.
 */
export async function startCluster(
  t: TestContext,
  n: number,
  seed: (store: Awaited<ReturnType<typeof openStore>>, ownerId: number) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): Promise<{
  nodes: ClusterNode[];
  dbUrl: string;
  prefix: string;
  startNode(id: string): Promise<ClusterNode>;
}> {
  const db = await createPostgresDatabase();
  const prefix = `ovms-cluster-test:${randomUUID()}:`;
  const store = await openStore(db.url);
  await store.migrate();
  const owner = await store.createOwner({
    name: 'owner',
    passwordHash: await hashPassword('owner-password'),
  });
  await seed(store, owner.id);
  await store.close();
  const nodes: ClusterNode[] = [];

  const startNode = async (id: string): Promise<ClusterNode> => {
    const [port, httpPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/ovms-server.ts',
        'start',
        '--db',
        db.url,
        '--bus',
        REDIS_URL,
        '--node-id',
        id,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--http-port',
        String(httpPort),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          OVMS_BUS_PREFIX: prefix,
          OVMS_TLS_PORT: '0',
          OVMS_MQTT_PORT: '0',
          OVMS_HTTPS_PORT: '0',
          OVMS_LOG_LEVEL: 'info',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const node: ClusterNode = { id, port, httpPort, process: child, output: [] };
    const collect = (d: Buffer) => node.output.push(...d.toString().split('\n').filter(Boolean));
    child.stderr!.on('data', collect);
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        collect(d);
        if (d.toString().includes('protocol v2 listening')) resolve();
      });
      child.once('exit', (code) =>
        reject(new Error(`node ${id} exited with ${code}: ${node.output.join('\n')}`)),
      );
    });
    nodes.push(node);
    return node;
  };

  t.after(async () => {
    await Promise.all(
      nodes.map((node) => {
        if (node.process.exitCode !== null || node.process.signalCode !== null) return undefined;
        const exited = new Promise((r) => node.process.once('exit', r));
        node.process.kill('SIGTERM');
        return exited;
      }),
    );
    await db.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });
  await Promise.all(Array.from({ length: n }, (_, i) => startNode(`node${i + 1}`)));
  nodes.sort((a, b) => a.id.localeCompare(b.id));
  return { nodes, dbUrl: db.url, prefix, startNode };
}
