import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli-process.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { readFixture } from '../recording/replay.js';

const ROOT = join(import.meta.dirname, '..', '..');

function ovms(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/ovms.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, OVMS_CONFIG: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Yesterday's drive and charge, handed to the server's observers at their recorded pace. */
async function recordDay(h: Harness): Promise<void> {
  const ref = { ownerId: h.owner.id, vehicleId: 'DEMO1' };
  const yesterday = Math.floor(Date.now() / 86_400_000 - 1) * 86_400_000;
  const shift = yesterday + 600_000 - readFixture('drive.txt')[0]!.at;
  // One fixture at a time: the recorder takes a burst of at most 200 messages while it loads a
  // vehicle's stored state (a car's login burst is far smaller).
  for (const [name, later] of [
    ['drive.txt', 0],
    ['charge.txt', 3 * 3_600_000],
  ] as const) {
    for (const m of readFixture(name)) {
      const time = new Date(m.at + shift + later);
      h.server.hub.carMessages.notify({ ref, code: m.code, payload: Buffer.from(m.payload, 'latin1'), time });
    }
    await h.server.recording.flush();
  }
}

test('ovms app trips / charges: a table, or --json, from the HTTP API with the owner login', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  await recordDay(h);
  const env = {
    OVMS_API: `http://127.0.0.1:${h.httpPort}`,
    OVMS_USER: 'owner',
    OVMS_API_PASSWORD: 'owner-password',
    OVMS_VEHICLE: 'DEMO1',
  };
  const trips = await ovms(['app', 'trips'], env);
  assert.equal(trips.code, 0, trips.stderr);
  const [header, row, ...rest] = trips.stdout.trimEnd().split('\n');
  assert.match(header!, /^START \(UTC\)\s+TIME\s+DISTANCE\s+kWh\s+Wh\/km\s+SOC\s+FROM\s+TO$/);
  assert.deepEqual(rest, []);
  assert.match(row!, /12\.0 km\s+1\.80\s+150\s+80→75%/);
  const json = await ovms(['app', 'charges', '--json'], env);
  assert.equal(json.code, 0, json.stderr);
  const charges = JSON.parse(json.stdout) as { energyKwh: number; endState: string }[];
  assert.deepEqual(
    charges.map((c) => [c.energyKwh, c.endState]),
    [[15.96, 'done']],
  );
  const refused = await ovms(['app', 'trips'], { ...env, OVMS_API_PASSWORD: 'wrong' });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /HTTP 401/);
});

test('ovms-server export: every vehicle (or one) to a file or stdout, CSV or JSON; no progress bar off a terminal', async (t) => {
  const h = await startServer(t);
  await h.addVehicle('DEMO1', 's1');
  await h.addVehicle('EMPTY1', 's2');
  await recordDay(h);
  const db = h.config.database.url;
  const csv = await runCli(['export', '--db', db, '--what', 'trips']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stderr, '', 'no progress bar on a pipe');
  const lines = csv.stdout.trimEnd().split('\r\n');
  assert.equal(lines.length, 2);
  const columns = lines[0]!.split(',');
  assert.equal(columns[0], 'vehicle');
  const cells = lines[1]!.split(',');
  assert.equal(cells[0], 'DEMO1');
  assert.equal(cells[columns.indexOf('distanceKm')], '12');

  const file = join(h.dir, 'charges.json');
  const json = await runCli([
    'export',
    '--db',
    db,
    '--what',
    'charges',
    '--format',
    'json',
    '--vehicle',
    'DEMO1',
    '-o',
    file,
  ]);
  assert.equal(json.code, 0, json.stderr);
  assert.equal(json.stdout, '');
  const rows = JSON.parse(readFileSync(file, 'utf8')) as { vehicle: string; energyKwh: number }[];
  assert.deepEqual(
    rows.map((r) => [r.vehicle, r.energyKwh]),
    [['DEMO1', 15.96]],
  );
  const series = await runCli(['export', '--db', db, '--what', 'series', '--format', 'json']);
  assert.ok((JSON.parse(series.stdout) as unknown[]).length > 100);
  const bad = await runCli(['export', '--db', db, '--what', 'everything']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--what must be one of trips, charges, parks, series, history/);
});
