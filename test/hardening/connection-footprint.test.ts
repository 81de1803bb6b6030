import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Connection } from '../../src/server/connection.js';
import type { Link } from '../../src/server/link.js';
import { createLogger } from '../../src/server/logger.js';

const link: Link = {
  transport: 'tcp',
  remoteAddress: '127.0.0.1',
  remotePort: 40000,
  write() {},
  queuedBytes: 0,
  whenDrained: async () => {},
  pause() {},
  resume() {},
  end() {},
  destroy() {},
};

/**
 * The idle-memory target is 10 KB per car connection, most of it Node's own socket. The server's
 * Connection object was over 1 KB of that: a pino child logger and two empty group Sets each.
 */
test('an idle connection object stays small (no logger child, no group sets until used)', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const lines: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  const keep: Connection[] = [];
  for (let i = 0; i < 100; i++) keep.push(new Connection(`${i}`, link, log, () => {}));
  // The least of three rounds: a round can also measure code compiled or a heap page taken meanwhile.
  let perConnection = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 5000; i++) keep.push(new Connection(`${i}`, link, log, () => {}));
    gc();
    perConnection = Math.min(perConnection, (process.memoryUsage().heapUsed - before) / 5000);
  }
  assert.ok(perConnection < 750, `${Math.round(perConnection)} bytes per idle Connection`);
  // Its log lines still name the connection and its peer, and groups work once used.
  const conn = keep[0]!;
  conn.log.info({ client: conn.label }, 'logged in');
  assert.match(lines[0]!, /"conn":"0","peer":"127.0.0.1:40000","client":"pre-login","msg":"logged in"/);
  conn.appGroups.add('g');
  assert.deepEqual([...conn.appGroups], ['g']);
});
