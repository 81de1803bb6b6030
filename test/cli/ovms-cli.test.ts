import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer } from '../helpers/harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'cli-secret-123';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function spawnOvms(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  // Only the variables given here: an OVMS_* in the developer's shell must not leak into the test.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OVMS_')));
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/ovms.ts', ...args], {
    cwd: ROOT,
    env: { ...clean, ...env },
  });
}

function finished(child: ChildProcessWithoutNullStreams, timeoutMs = 20_000): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ovms timed out; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the ovms CLI: a simulated car in the background, app commands against it', async (t) => {
  const h = await startServer(t, { settings: { 'history.utilisation_flush': 0.2 } });
  await h.addVehicle('CLI1', SECRET);
  const env = { OVMS_SERVER: `127.0.0.1:${h.port}`, OVMS_VEHICLE: 'CLI1', OVMS_PASSWORD: SECRET };
  const ovms = (...args: string[]) => finished(spawnOvms(args, env));

  const car = spawnOvms(['car', '--verbose', '--seed', '3', '--speed-up', '10'], env);
  const carDone = finished(car, 60_000);
  t.after(() => car.kill('SIGKILL'));
  const lines = createInterface({ input: car.stdout });
  // Ready once the car has sent its F, the last message of its first full set.
  await new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      if (/ sent F3\.3/.test(line)) resolve();
    });
    car.once('close', () => reject(new Error('the car exited early')));
  });

  const [status, json, stat, history, refused, missing] = await Promise.all([
    ovms('app', 'status'),
    ovms('app', 'status', '--json', '--type', 'B'),
    ovms('app', 'cmd', '7', 'stat'),
    ovms('app', 'history'),
    finished(
      spawnOvms(
        ['app', 'status', '--server', `127.0.0.1:${h.port}`, '--id', 'CLI1', '--password', 'wrong'],
        {},
      ),
    ),
    finished(spawnOvms(['app', 'status', '--password', 'x'], {})),
  ]);

  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^Vehicle CLI1: car online, data \d+ s old\n/);
  assert.match(status.stdout, /\n {2}Battery {7}SOC 84\.5%, ideal range 82 km, estimated \d+ km, SOH 97%\n/);
  assert.match(status.stdout, /\n {2}Doors {9}unlocked, valet off, all closed\n/);
  assert.match(status.stdout, /\n {2}Firmware {6}3\.3\.004-.*, type RT, VIN VF1MAF5V6H0781234\n/);

  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout);
  assert.equal(summary.vehicleId, 'CLI1');
  assert.equal(summary.carConnected, true);
  assert.equal(summary.battery.soc, 84.5);
  assert.equal(summary.charge.state, 'done');
  assert.equal(summary.doors.locked, false);
  assert.equal(summary.location.latitude, 52.090737);
  assert.equal(summary.tpms.length, 4);
  assert.equal(summary.firmware.vehicleType, 'RT');

  assert.equal(stat.code, 0, stat.stderr);
  assert.match(stat.stdout, /^OVMS# stat\nNot charging\nSOC: 84\.5%\n/);

  assert.equal(history.code, 0, history.stderr);
  const types = history.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.split(' ')[0]);
  assert.deepEqual(types.filter((x) => x).sort(), ['D', 'F', 'L', 'S', 'W', 'Y']);

  assert.deepEqual(
    [refused.code, refused.stderr],
    [1, 'ovms: login refused: unknown vehicle id or wrong password\n'],
  );
  assert.deepEqual([missing.code, missing.stderr], [2, 'ovms: missing --id VEHICLEID (or OVMS_VEHICLE)\n']);

  const [lock, badPin] = await Promise.all([
    ovms('app', 'cmd', '20', '1234'),
    ovms('app', 'cmd', '20', '0000'),
  ]);
  assert.deepEqual([lock.code, lock.stdout], [0, 'lock (20): OK\n']);
  assert.deepEqual(
    [badPin.code, badPin.stdout, badPin.stderr],
    [1, '', 'ovms: lock (20) failed: Invalid PIN\n'],
  );

  const [watch, usage, locked] = await Promise.all([
    ovms('app', 'watch', '--count', '3', '--json'),
    ovms('app', 'usage'),
    ovms('app', 'status', '--json'),
  ]);
  assert.equal(watch.code, 0, watch.stderr);
  const watched = watch.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(watched.length, 3);
  // The login's Z, then the replay in the server's order: F first, then S.
  assert.deepEqual(
    watched.map((m) => [m.code, m.kind]),
    [
      ['Z', 'peers'],
      ['F', 'firmware'],
      ['S', 'status'],
    ],
  );
  assert.equal(watched[2].fields.soc, '84.5');

  assert.equal(usage.code, 0, usage.stderr);
  const today = new Date().toISOString().slice(0, 10);
  assert.match(
    usage.stdout,
    new RegExp(`^date +car rx +car tx +apps rx +apps tx\\n${today} +[1-9]\\d* +[1-9]\\d* `),
  );

  assert.equal(JSON.parse(locked.stdout).doors.locked, true);

  car.kill('SIGTERM');
  const carResult = await carDone;
  assert.equal(carResult.code, 0, carResult.stderr);
  assert.match(carResult.stdout, / info {2}stopped\n$/);
  assert.ok(!carResult.stdout.includes(SECRET), 'the secret is never logged');
});
