import type { OvmsClient } from '../src/client/ovms-client.js';
import { login } from './clients.js';
import { pool } from './stats.js';

/**
 * A child process holding many idle car connections (one process cannot hold 20,000 sockets under
 * this machine's file limit). Args: port, first index, count. Prints "ready <n>" when all are in.
 */
const [port, first, count] = process.argv.slice(2).map(Number) as [number, number, number];
const clients: OvmsClient[] = [];
await pool(
  Array.from({ length: count }, (_, i) => first + i),
  200,
  async (i) => {
    clients.push(await login(port, 'C', `BENCH${i}`));
  },
);
process.stdout.write(`ready ${clients.length}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
