import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OvmsClient } from '../../src/client/ovms-client.js';
import { openStore } from '../../src/store/open-store.js';
import { freePort } from '../hardening/server-process.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = ['--import', 'tsx', 'src/cli/ovms-server.ts'];

function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function tempDb(t: { after(fn: () => void): void }): { db: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { db: `sqlite:${join(dir, 'ovms.db')}`, dir };
}

test('owner and vehicle admin commands, with clear errors', async (t) => {
  const { db, dir } = tempDb(t);
  const ok = async (args: string[]) => {
    const r = await run([...args, '--db', db]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  assert.match(await ok(['owner', 'add', 'alice', '--password', 'alice-pass']), /owner alice added/);
  const dup = await run(['owner', 'add', 'alice', '--password', 'alice-pass', '--db', db]);
  assert.deepEqual([dup.code, dup.stderr.trim()], [1, 'ovms-server: an owner named "alice" already exists']);
  assert.match(
    await ok(['vehicle', 'add', 'demo1', '--owner', 'alice', '--password', 'car-secret']),
    /vehicle DEMO1 added for alice/,
  );
  const long = await run([
    'vehicle',
    'add',
    'X2',
    '--owner',
    'alice',
    '--password',
    'x'.repeat(65),
    '--db',
    db,
  ]);
  assert.equal(long.code, 1);
  assert.match(long.stderr, /at most 64 bytes/);
  const noOwner = await run(['vehicle', 'add', 'X3', '--owner', 'bob', '--password', 'pw', '--db', db]);
  assert.match(noOwner.stderr, /no owner named "bob"/);

  const csv = join(dir, 'cars.csv');
  writeFileSync(csv, 'id,owner,password\nCAR2,alice,pw2\nCAR3,alice,"p,w3"\n');
  assert.match(await ok(['vehicle', 'import', csv]), /2 vehicles imported/);
  writeFileSync(csv, 'CAR4,alice,pw4\nCAR2,alice,dup\n');
  const again = await run(['vehicle', 'import', csv, '--db', db]);
  assert.equal(again.code, 1);
  const list = JSON.parse(await ok(['vehicle', 'list', '--json']));
  assert.deepEqual(
    list.map((v: { id: string }) => v.id),
    ['CAR2', 'CAR3', 'DEMO1'],
  );

  await ok(['vehicle', 'passwd', 'DEMO1', '--password', 'new-secret']);
  assert.match(
    await ok(['vehicle', 'abrp', 'demo1', '--token', 'abrp-cli-token-1']),
    /ABRP token of DEMO1 stored/,
  );
  const badToken = await run(['vehicle', 'abrp', 'DEMO1', '--token', 'short', '--db', db]);
  assert.deepEqual([badToken.code, /printable characters without spaces/.test(badToken.stderr)], [1, true]);
  const shown = await ok(['vehicle', 'abrp', 'DEMO1']);
  assert.match(shown, /^DEMO1: linked; token stored /);
  assert.ok(!shown.includes('abrp-cli-token-1'), 'the token is not printed');
  assert.match(await ok(['vehicle', 'abrp', 'DEMO1', '--remove']), /ABRP token of DEMO1 removed/);
  const token = (await ok(['token', 'add', '--owner', 'alice', '--permit', 'v2'])).trim();
  assert.match(token, /^[0-9a-f]{64}$/);
  const tokens = JSON.parse(await ok(['token', 'list', '--owner', 'alice', '--json']));
  assert.equal(tokens.length, 1);
  assert.equal(tokens[0].permit, 'v2');
  assert.ok(!JSON.stringify(tokens).includes(token));
  await ok(['provision', 'add', 'VIN123', '--secret', '8985200000', '--params', 'a - c']);
  assert.match(await ok(['provision', 'list']), /VIN123/);
  assert.match(await ok(['db', 'status']), /schema version (\d+) of \1\b/);

  const store = await openStore(db);
  const v = await store.findVehicle('demo1');
  assert.equal(v?.secret, 'new-secret');
  assert.equal(v?.ownerName, 'alice');
  await store.close();
  await ok(['token', 'remove', tokens[0].id, '--owner', 'alice']);
  await ok(['vehicle', 'remove', 'CAR3']);
  await ok(['owner', 'remove', 'alice']);
  assert.deepEqual(JSON.parse(await ok(['vehicle', 'list', '--json'])), []);
  const usage = await run(['nope']);
  assert.equal(usage.code, 2);
});

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d;
      const line = buf.split('\n').find((l) => pattern.test(l));
      if (line) {
        child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing ${pattern}: ${buf}`)));
  });
}

test('start: serves cars, admin commands work while it runs, SIGTERM exits 0', async (t) => {
  const { db } = tempDb(t);
  const child = spawn(
    process.execPath,
    [...CLI, 'start', '--db', db, '--host', '127.0.0.1', '--port', String(await freePort())],
    {
      cwd: ROOT,
      env: { ...process.env, OVMS_TLS_PORT: '0', OVMS_HTTP_PORT: '0', OVMS_MQTT_PORT: '0' },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const firstRun = waitForLine(child, /first run: no owners yet/);
  const listening = JSON.parse(await waitForLine(child, /protocol v2 listening/));
  await firstRun;
  const port = listening.ports.v2;
  assert.ok(port > 0);
  assert.equal((await run(['owner', 'add', 'bob', '--password', 'bob-password', '--db', db])).code, 0);
  assert.equal(
    (await run(['vehicle', 'add', 'LIVE1', '--owner', 'bob', '--password', 'live-secret', '--db', db])).code,
    0,
  );
  const car = new OvmsClient({
    host: '127.0.0.1',
    port,
    clientType: 'C',
    vehicleId: 'LIVE1',
    secret: 'live-secret',
  });
  const z = new Promise((resolve) => car.once('message', (m) => resolve(m.code + m.text)));
  await car.connect();
  assert.equal(await z, 'Z0');
  const closed = new Promise((resolve) => car.once('disconnect', resolve));
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
  await closed;
});

test('demo: a demo vehicle with a simulated car that apps can watch at once, in its own database on loopback', async (t) => {
  // Run from an empty folder: the demo must write data/demo.db there, never data/ovms.db.
  const cwd = mkdtempSync(join(tmpdir(), 'ovms-demo-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  const [port, httpPort] = [await freePort(), await freePort()];
  const tsx = import.meta.resolve('tsx');
  const child = spawn(
    process.execPath,
    ['--import', tsx, join(ROOT, 'src/cli/ovms-server.ts'), 'demo', '--port', String(port)],
    {
      cwd,
      env: {
        ...process.env,
        OVMS_TLS_PORT: '0',
        OVMS_HTTP_PORT: String(httpPort),
        OVMS_HTTPS_PORT: '0',
        OVMS_MQTT_PORT: '0',
      },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const dashboard = waitForLine(child, /^Dashboard: /);
  // Loopback only: the demo's login is public knowledge.
  assert.match(
    await waitForLine(child, /^Demo server on /),
    new RegExp(`^Demo server on 127\\.0\\.0\\.1 port ${port},`),
  );
  assert.equal(
    await dashboard,
    `Dashboard: http://127.0.0.1:${httpPort}/  (log in as demo, password demo-password)`,
  );
  assert.ok(existsSync(join(cwd, 'data', 'demo.db')), 'the demo database is data/demo.db');
  assert.ok(!existsSync(join(cwd, 'data', 'ovms.db')), 'the real database is not touched');
  const app = new OvmsClient({
    host: '127.0.0.1',
    port,
    clientType: 'A',
    vehicleId: 'DEMO',
    secret: 'demo-secret',
  });
  const status = new Promise<string>((resolve) =>
    app.on('message', (m) => m.code === 'S' && resolve(m.text)),
  );
  await app.connect();
  assert.match(await status, /^\d+(\.\d+)?,K,/);
  await app.close();
  const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  assert.equal(await exit, 0);
});
