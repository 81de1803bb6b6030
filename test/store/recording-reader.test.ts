import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportChunks, exportPages } from '../../src/store/recording-export.js';
import { periodPages, samplePages } from '../../src/store/recording-reader.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

test('exports read a page at a time, in order, without losing or repeating a row at page edges', async (t) => {
  const store = await openSqliteStore({ path: ':memory:' });
  t.after(() => store.close());
  await store.migrate();
  const owner = await store.createOwner({ name: 'alice', passwordHash: 'h' });
  const ref = { ownerId: owner.id, vehicleId: 'DEMO1' };
  await store.createVehicle({ ...ref, secret: 's' });
  const t0 = Date.UTC(2026, 0, 1);
  await store.saveRecording({
    samples: Array.from({ length: 25 }, (_, i) => ({
      ref,
      sample: { at: t0 + i * 60_000, mode: 'idle' as const, soc: i },
    })),
    periods: Array.from({ length: 7 }, (_, i) => ({
      ref,
      period: {
        kind: 'trip' as const,
        startAt: t0 + i * 3_600_000,
        endAt: t0 + i * 3_600_000 + 600_000,
        units: 'km' as const,
        distanceKm: i,
      },
    })),
    states: [],
  });
  const range = { from: new Date(t0), to: new Date(t0 + 86_400_000) };
  const samples = [];
  for await (const page of samplePages(store, ref, range, 10)) {
    assert.ok(page.length <= 10);
    samples.push(...page);
  }
  assert.deepEqual(
    samples.map((s) => s.soc),
    Array.from({ length: 25 }, (_, i) => i),
  );
  const trips = [];
  for await (const page of periodPages(store, ref, 'trip', range, 3)) trips.push(...page);
  assert.deepEqual(
    trips.map((p) => p.distanceKm),
    [6, 5, 4, 3, 2, 1, 0],
  );
  let csv = '';
  for await (const chunk of exportChunks(
    exportPages(store, ref, 'series', range, [], undefined),
    'series',
    'csv',
  ))
    csv += chunk;
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(
    lines[0],
    'time,mode,soc,rangeIdealKm,rangeEstKm,odometerKm,speedKmh,lat,lon,powerKw,chargePowerKw,chargeKwh,v12,batteryTempC,cabinTempC,ambientTempC,soh',
  );
  assert.equal(lines.length, 26);
  assert.equal(lines[1], '2026-01-01T00:00:00.000Z,idle,0,,,,,,,,,,,,,,');
});
