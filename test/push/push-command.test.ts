import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { pushStore, vehicleWith } from './helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;

test('push test VEHICLE sends through every subscription and prints the outcome per channel', async (t) => {
  const { store, path } = await pushStore(t);
  await vehicleWith(store, [
    { appId: 'phone', pushType: 'ntfy', key: 'topic1' },
    { appId: 'old-ios', pushType: 'apns', key: 'abcd' },
  ]);
  await store.close();
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(`${req.url} ${body}`);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const run = promisify(execFile);
  const result = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/ovms-server.ts',
      'push',
      'test',
      'car1',
      '--db',
      `sqlite:${path}`,
      '--text',
      'hello',
    ],
    { cwd: ROOT, env: { ...process.env, OVMS_PUSH_NTFY_URL: url, OVMS_PUSH_WEBHOOK_URL: `${url}/hook` } },
  ).catch((error: { stdout: string; code: number }) => error);
  const lines = result.stdout.trim().split('\n');
  assert.deepEqual(lines, [
    '(apns: not configured)\told-ios\tfailed\tno channel configured for this push type',
    'ntfy\tphone\tdelivered',
    'webhook\t*webhook\tdelivered',
  ]);
  assert.equal((result as { code?: number }).code, 1, 'exit status 1 when a delivery failed');
  assert.ok(bodies.includes('/topic1 hello'));
  assert.ok(bodies.some((b) => b.startsWith('/hook ') && b.includes('"text":"hello"')));
});
