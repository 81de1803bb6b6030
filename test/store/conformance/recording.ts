import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Period, Sample } from '../../../src/recording/vehicle-recorder.js';
import type { RecordingBatch, VehicleRef } from '../../../src/store/store.js';
import { at, type FreshStore, ownerWithVehicle, T0 } from './fixtures.js';

const empty = (): RecordingBatch => ({ samples: [], periods: [], states: [] });

function sample(seconds: number, values: Partial<Sample> = {}): Sample {
  return { at: at(seconds).getTime(), mode: 'drive', ...values };
}

function trip(startS: number, endS: number, values: Partial<Period> = {}): Period {
  return {
    kind: 'trip',
    startAt: at(startS).getTime(),
    endAt: at(endS).getTime(),
    units: 'km',
    distanceKm: 12.5,
    distanceSource: 'odometer',
    energyKwh: 1.875,
    energySource: 'car',
    ...values,
  };
}

function batchOf(ref: VehicleRef, samples: Sample[], periods: Period[] = []): RecordingBatch {
  return {
    samples: samples.map((s) => ({ ref, sample: s })),
    periods: periods.map((p) => ({ ref, period: p })),
    states: [],
  };
}

export function recordingTests(fresh: FreshStore): void {
  describe('recording', () => {
    test('samples come back in time order, every field in its unit, a second keeps its last write', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const full: Sample = {
        at: at(60).getTime(),
        mode: 'charge',
        soc: 80.5,
        rangeIdealKm: 209.2,
        rangeEstKm: 185.1,
        odometerKm: 12345.6,
        speedKmh: 0,
        lat: 52.0905,
        lon: 5.1217,
        powerKw: -7.2,
        chargePowerKw: 7.2,
        chargeKwh: 12.3,
        v12: 13.8,
        batteryTempC: 21.5,
        cabinTempC: 19,
        ambientTempC: -3.5,
        soh: 97,
      };
      await store.saveRecording(
        batchOf(ref, [sample(120, { soc: 70 }), full, sample(0, { soc: 90 }), sample(120, { soc: 71 })]),
      );
      const read = await store.listSamples(ref, { from: T0, to: at(3600), limit: 10 });
      assert.deepEqual(read, [sample(0, { soc: 90 }), full, sample(120, { soc: 71 })]);
      assert.deepEqual(
        await store.listSamples({ ...ref, vehicleId: 'demo1' }, { from: at(1), to: at(120), limit: 10 }),
        [full],
      );
      assert.equal((await store.listSamples(ref, { from: T0, to: at(3600), limit: 2 })).length, 2);
    });

    test('buckets average the samples of each step, aligned to the step', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      // T0 is a whole hour: 600 s buckets start at T0.
      await store.saveRecording(
        batchOf(ref, [
          sample(0, { soc: 80, speedKmh: 10 }),
          sample(300, { soc: 78, speedKmh: 30 }),
          sample(600, { soc: 70, mode: 'idle' }),
        ]),
      );
      const buckets = await store.sampleBuckets(ref, T0, at(3600), 600);
      assert.deepEqual(buckets, [
        sample(0, { soc: 79, speedKmh: 20 }),
        sample(600, { soc: 70, mode: 'idle' }),
      ]);
      await assert.rejects(store.sampleBuckets(ref, T0, at(3600), 0), RangeError);
    });

    test('periods are listed newest first within a range, read by kind and start, and replaced by the same start', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const other = await ownerWithVehicle(store, 'bob', 'CAR2');
      const charge: Period = {
        kind: 'charge',
        startAt: at(5000).getTime(),
        endAt: at(9000).getTime(),
        units: 'km',
        energyKwh: 15.96,
        energySource: 'module',
        gridKwh: 17.237,
        endState: 'done',
        chargeMode: 'standard',
      };
      await store.saveRecording(batchOf(ref, [], [trip(0, 1200), trip(3600, 4000), charge]));
      await store.saveRecording(batchOf(other.ref, [], [trip(100, 200)]));
      assert.deepEqual(await store.listPeriods(ref, 'trip', { limit: 10 }), [
        trip(3600, 4000),
        trip(0, 1200),
      ]);
      assert.deepEqual(await store.listPeriods(ref, 'trip', { from: at(1), to: at(86400), limit: 10 }), [
        trip(3600, 4000),
      ]);
      assert.deepEqual(await store.listPeriods(ref, 'trip', { limit: 1 }), [trip(3600, 4000)]);
      assert.deepEqual(await store.listPeriods(ref, 'charge', { limit: 10 }), [charge]);
      assert.deepEqual(await store.getPeriod(ref, 'trip', at(3600)), trip(3600, 4000));
      assert.equal(await store.getPeriod(ref, 'charge', at(3600)), undefined);
      // The module's own log record arrives: the same trip is stored again with its figures.
      const updated = trip(3600, 4000, { distanceKm: 12.3, distanceSource: 'module' });
      await store.saveRecording(batchOf(ref, [], [updated]));
      assert.deepEqual(await store.getPeriod(ref, 'trip', at(3600)), updated);
      assert.equal((await store.listPeriods(ref, 'trip', { limit: 10 })).length, 2);
    });

    test('state and settings per vehicle; back-fill is marked once per vehicle', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const other = await ownerWithVehicle(store, 'bob', 'CAR2');
      assert.equal(await store.getRecordingVehicle(ref), undefined);
      assert.deepEqual(
        await store.vehiclesNotBackfilled(10),
        [ref, other.ref].sort((a, b) => a.vehicleId.localeCompare(b.vehicleId)),
      );
      await store.saveRecording({ ...empty(), states: [{ ref, state: '{"a":1}', at: at(10).getTime() }] });
      assert.deepEqual(await store.getRecordingVehicle(ref), {
        state: '{"a":1}',
        capacityKwh: undefined,
        pricePerKwh: undefined,
        backfilledAt: undefined,
      });
      await store.setRecordingSettings(ref, { capacityKwh: 37.9, pricePerKwh: 0.31 });
      await store.saveRecording({ ...empty(), states: [{ ref, state: '{"a":2}', at: at(20).getTime() }] });
      await store.markBackfilled(ref, at(30));
      assert.deepEqual(await store.getRecordingVehicle(ref), {
        state: '{"a":2}',
        capacityKwh: 37.9,
        pricePerKwh: 0.31,
        backfilledAt: at(30),
      });
      assert.deepEqual(await store.vehiclesNotBackfilled(10), [other.ref]);
      await store.setRecordingSettings(ref, { capacityKwh: null, pricePerKwh: null });
      assert.equal((await store.getRecordingVehicle(ref))?.capacityKwh, undefined);
    });

    test('vehicles without history of the replayed types are marked back-filled in one call', async (t) => {
      const store = await fresh(t);
      const withS = await ownerWithVehicle(store, 'alice', 'CARS');
      const withOther = await ownerWithVehicle(store, 'bob', 'CARO');
      const bare = await ownerWithVehicle(store, 'carol', 'CARN');
      const done = await ownerWithVehicle(store, 'dave', 'CARD');
      const record = (type: string) => ({
        type,
        recno: 0,
        timestamp: at(5),
        data: Buffer.from('80,K'),
        expires: at(3600),
      });
      await store.addHistory(withS.ref, record('S'));
      await store.addHistory(withOther.ref, record('RT-PWR-Log'));
      await store.markBackfilled(done.ref, at(1));
      await store.markBackfilledWithoutHistory(['S', 'D', 'L'], at(30));
      assert.deepEqual(await store.vehiclesNotBackfilled(10), [withS.ref]);
      assert.deepEqual((await store.getRecordingVehicle(withOther.ref))?.backfilledAt, at(30));
      assert.deepEqual((await store.getRecordingVehicle(bare.ref))?.backfilledAt, at(30));
      assert.deepEqual((await store.getRecordingVehicle(done.ref))?.backfilledAt, at(1), 'a mark is kept');
      // Marking runs again at every start: a vehicle's saved recorder state is left as it was.
      await store.saveRecording({
        ...empty(),
        states: [{ ref: bare.ref, state: '{"a":1}', at: at(40).getTime() }],
      });
      await store.markBackfilledWithoutHistory(['S', 'D', 'L'], at(50));
      assert.equal((await store.getRecordingVehicle(bare.ref))?.state, '{"a":1}');
    });

    test('places belong to their owner: listed, replaced and deleted only by that owner', async (t) => {
      const store = await fresh(t);
      const alice = await ownerWithVehicle(store);
      const bob = await ownerWithVehicle(store, 'bob', 'CAR2');
      const home = await store.putPlace(alice.owner.id, {
        name: 'Home',
        lat: 52.0905,
        lon: 5.1217,
        radiusM: 150,
      });
      assert.ok(home && home.id > 0);
      const work = await store.putPlace(alice.owner.id, {
        name: 'Work',
        lat: 52.37,
        lon: 4.89,
        radiusM: 300,
        pricePerKwh: 0.25,
      });
      assert.deepEqual(await store.listPlaces(alice.owner.id), [home, work]);
      assert.deepEqual(await store.listPlaces(bob.owner.id), []);
      assert.equal(
        await store.putPlace(bob.owner.id, { name: 'Mine', lat: 0, lon: 0, radiusM: 1 }, home.id),
        undefined,
      );
      assert.equal(await store.deletePlace(bob.owner.id, home.id), false);
      const moved = await store.putPlace(
        alice.owner.id,
        { name: 'Home', lat: 52.1, lon: 5.12, radiusM: 100 },
        home.id,
      );
      assert.deepEqual(await store.listPlaces(alice.owner.id), [moved, work]);
      assert.equal(await store.deletePlace(alice.owner.id, home.id), true);
      assert.deepEqual(await store.listPlaces(alice.owner.id), [work]);
    });

    test('the purge deletes old samples and periods in bounded steps; deleting the vehicle removes the rest', async (t) => {
      const store = await fresh(t);
      const { ref } = await ownerWithVehicle(store);
      const samples = Array.from({ length: 10 }, (_, i) => sample(i * 60));
      await store.saveRecording(batchOf(ref, samples, [trip(0, 100), trip(1000, 2000)]));
      assert.equal(await store.purgeRecording(at(300), 3), 3);
      assert.equal(
        await store.purgeRecording(at(300), 100),
        2 + 1,
        'two samples left before 300 s, one trip',
      );
      assert.equal(await store.purgeRecording(at(300), 100), 0);
      assert.equal((await store.listSamples(ref, { from: T0, to: at(3600), limit: 100 })).length, 5);
      await store.saveRecording({ ...empty(), states: [{ ref, state: '{}', at: 0 }] });
      assert.equal(await store.deleteVehicle(ref), true);
      await ownerWithVehicle(store);
      assert.deepEqual(await store.listSamples(ref, { from: T0, to: at(3600), limit: 100 }), []);
      assert.deepEqual(await store.listPeriods(ref, 'trip', { limit: 10 }), []);
      assert.equal(await store.getRecordingVehicle(ref), undefined);
    });
  });
}
