import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyReading } from '../../src/recording/car-reading.js';
import { distanceKm } from '../../src/recording/geo.js';
import { parseTripLog } from '../../src/recording/module-logs.js';
import { DEFAULT_SETTINGS, only, readFixture, replay } from './replay.js';

const near = (actual: number | undefined, expected: number, tolerance: number, what: string) =>
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not ${expected} ± ${tolerance}`,
  );

describe('recording: trips', () => {
  it('a drive becomes one trip with odometer distance, the car energy counters and the parked spell before it', () => {
    const messages = readFixture('drive.txt');
    const { periods } = replay(messages);
    const [trip] = only(periods, 'trip');
    assert.equal(only(periods, 'trip').length, 1);
    assert.ok(trip);
    assert.equal(trip.distanceSource, 'odometer');
    near(trip.distanceKm, 12, 0.01, 'distance');
    assert.equal(trip.units, 'km');
    assert.equal(trip.energySource, 'car');
    // 12 km at 0.16 kWh/km used and 0.01 recovered: 1.8 kWh net.
    near(trip.energyKwh, 1.8, 0.01, 'energy');
    near(trip.socFrom, 80, 0.01, 'soc from');
    near(trip.socTo, 74.9, 0.05, 'soc to');
    near(trip.maxSpeedKmh, 36, 0.5, 'top speed');
    near((trip.endAt - trip.startAt) / 60_000, 20, 0.2, 'minutes');
    assert.equal(new Date(trip.startAt).toISOString(), '2026-05-12T08:01:00.000Z');
    near(trip.startLat, 52.0905, 1e-6, 'start lat');
    near(trip.endLon, 5.297147, 1e-6, 'end lon');
    const [park] = only(periods, 'park');
    assert.ok(park);
    assert.equal(park.endAt - park.startAt, 20 * 60_000);
  });

  it('a module that restarts mid-trip leaves one trip whose energy goes on across the counter reset', () => {
    const { periods } = replay(readFixture('restart-mid-trip.txt'));
    const trips = only(periods, 'trip');
    assert.equal(trips.length, 1);
    near(trips[0]!.distanceKm, 20, 0.01, 'distance');
    // 20 km at 0.15 kWh/km net; the step lost in the reboot costs at most 0.05 kWh.
    near(trips[0]!.energyKwh, 3, 0.05, 'energy');
  });

  it('a server restart mid-trip (state through JSON) changes nothing', () => {
    const messages = readFixture('restart-mid-trip.txt');
    const whole = replay(messages);
    for (const cut of [40, 100, 150]) {
      const resumed = replay(messages, { restartAfter: cut });
      assert.deepEqual(resumed.periods, whole.periods, `restart after message ${cut}`);
      assert.deepEqual(resumed.samples, whole.samples);
    }
  });

  it('GPS jumps are left out of the samples (the track) and the distance', () => {
    const messages = readFixture('gps-jumps.txt');
    const { periods, samples } = replay(messages);
    const trips = only(periods, 'trip');
    assert.equal(trips.length, 1);
    near(trips[0]!.distanceKm, 8, 0.01, 'distance');
    for (const s of samples) {
      if (s.lat !== undefined)
        assert.ok(Math.abs(s.lat - 52.09) < 0.1, `sample at ${s.lat},${s.lon} is a jump`);
    }
    // Without the odometer the GPS distance stands in: it must not count the 500 km jumps either.
    const withoutOdometer = messages.map((m) =>
      m.code === 'D' ? { ...m, payload: m.payload.split(',').with(7, '0').join(',') } : m,
    );
    const gps = only(replay(withoutOdometer).periods, 'trip')[0]!;
    assert.equal(gps.distanceSource, 'gps');
    near(gps.distanceKm, 8, 0.3, 'GPS distance');
  });

  it('a car without an odometer gets its distance from the GPS track, in km, and says it is a miles car', () => {
    const { periods } = replay(readFixture('no-odometer.txt'));
    const [trip] = only(periods, 'trip');
    assert.ok(trip);
    assert.equal(trip.distanceSource, 'gps');
    near(trip.distanceKm, 10, 0.1, 'distance');
    assert.equal(trip.units, 'mi');
    // L speed is in the car's units (mph): 24.9 mph is 40 km/h.
    near(trip.maxSpeedKmh, 40, 0.2, 'top speed km/h');
  });

  it('energy from SOC × usable capacity when the car sends no energy counters', () => {
    const messages = readFixture('drive.txt').map((m) =>
      m.code === 'L' ? { ...m, payload: m.payload.split(',').with(10, '').with(11, '').join(',') } : m,
    );
    const trip = only(replay(messages).periods, 'trip')[0]!;
    assert.equal(trip.energySource, 'soc');
    // S field 41: 37.9 kWh usable.
    near(trip.energyKwh, ((trip.socFrom! - trip.socTo!) / 100) * 37.9, 0.001, 'energy');
  });

  it("the module's own *-LOG-Trip record replaces distance and energy, and says so", () => {
    const messages = readFixture('drive.txt');
    const end = messages.findLastIndex((m) => m.code === 'D' && m.payload.startsWith('64,'));
    const off = messages.find((m, i) => i > 100 && m.code === 'D' && m.payload.startsWith('64,'))!;
    // The firmware's layout (vehicle.cpp NotifyTripLog): lock, lat, lon, alt, place, odometer km,
    // trip km, drive time s, drive mode, SOC, ranges x3, energy used, recovered (kWh), ...
    const data = [
      '1',
      '52.09',
      '5.29',
      '10.0',
      '',
      '12357.6',
      '12.3',
      '1200',
      '0',
      '74.9',
      '170',
      '195',
      '260',
    ]
      .concat(['1.950', '0.120', '5.1', '0.3', '97.0', '', '110.0', '3000', '300', '8000', '700'])
      .concat(['14.0', '19.0', '18.0', '24.0', '22.0', '20.0', '', '', '', '', '', '']);
    const log = { at: off.at + 3000, code: 'H', payload: `*-LOG-Trip,1,31536000,${data.join(',')}` };
    assert.ok(end > 0);
    const trip = only(replay([...messages.filter((m) => m.at <= off.at), log]).periods, 'trip')[0]!;
    assert.equal(trip.distanceSource, 'module');
    assert.equal(trip.distanceKm, 12.3);
    assert.equal(trip.energySource, 'module');
    near(trip.energyKwh, 1.83, 1e-9, 'energy');
  });

  it("the simulator's own trip log layout is not taken for the firmware's", () => {
    assert.equal(
      parseTripLog('2026-05-12 08:00:00,2026-05-12 08:20:00,12.00,1200,80.0,74.9,1.9,0.1'),
      undefined,
    );
  });
});

describe('recording: charges', () => {
  it('a charge becomes one session with the module log energy, grid energy, peak power, mode and limits', () => {
    const { periods } = replay(readFixture('charge.txt'));
    const charges = only(periods, 'charge');
    assert.equal(charges.length, 1);
    const c = charges[0]!;
    assert.equal(c.endState, 'done');
    assert.equal(c.energySource, 'module');
    near(c.energyKwh, 15.96, 0.01, 'kWh');
    near(c.gridKwh, 17.24, 0.01, 'grid kWh');
    assert.equal(c.peakPowerKw, 7.2);
    assert.equal(c.chargeMode, 'standard');
    assert.equal(c.chargeLimitSoc, 90);
    assert.equal(c.chargeLimitA, 32);
    near(c.socFrom, 40.3, 0.05, 'soc from');
    assert.equal(c.socTo, 80);
  });

  it('without the module log, S field 12 (tenths of a kWh) gives the energy', () => {
    const messages = readFixture('charge.txt').filter((m) => m.code !== 'H');
    const c = only(replay(messages).periods, 'charge')[0]!;
    assert.equal(c.energySource, 'car');
    // The last S before "done" has field 12 = 160: 16.0 kWh.
    assert.equal(c.energyKwh, 16);
  });

  it('an interrupted charge is two sessions, the first ended "stopped"', () => {
    const { periods } = replay(readFixture('charge-interrupted.txt'));
    const charges = only(periods, 'charge');
    assert.equal(charges.length, 2);
    assert.equal(charges[0]!.endState, 'stopped');
    assert.equal(charges[1]!.endState, 'done');
    near(charges[0]!.socTo, 55, 0.01, 'first to');
    near(charges[1]!.socTo, 70, 0.01, 'second to');
    assert.equal(only(periods, 'park').length, 1);
  });
});

describe('recording: parking and samples', () => {
  it('a night parked records its SOC and energy drain', () => {
    const { periods } = replay(readFixture('parked-night.txt'));
    const [park] = only(periods, 'park');
    assert.ok(park);
    near(park.socFrom! - park.socTo!, 2, 0.01, 'SOC lost');
    near(park.energyKwh, 0.758, 0.001, 'kWh lost');
  });

  it('samples every sample_s while driving or charging, every idle_sample_s otherwise', () => {
    for (const name of ['drive.txt', 'charge.txt', 'parked-night.txt']) {
      const { samples } = replay(readFixture(name));
      for (let i = 1; i < samples.length; i++) {
        const gap = samples[i]!.at - samples[i - 1]!.at;
        const changed = samples[i]!.mode !== samples[i - 1]!.mode;
        const min = samples[i]!.mode === 'idle' ? DEFAULT_SETTINGS.idleSampleMs : DEFAULT_SETTINGS.sampleMs;
        assert.ok(changed || gap >= min, `${name}: samples ${gap} ms apart in ${samples[i]!.mode}`);
      }
    }
    const charge = replay(readFixture('charge.txt')).samples.filter((s) => s.mode === 'charge');
    // Two hours of charging at one S a minute: one sample a minute.
    assert.ok(charge.length > 100, `${charge.length} charge samples`);
    assert.ok(charge.every((s) => s.chargePowerKw !== undefined && s.soc !== undefined));
  });

  it('reads units from real messages: S field 12 tenths of a kWh, odometer tenths of a mile', () => {
    const s = applyReading(undefined, 'S', '55.0,M,230,32.00,charging,standard,150,130,32,0,0,123', 0);
    assert.equal(s.chargeKwh, 12.3);
    assert.equal(s.units, 'mi');
    near(s.rangeIdealKm, 150 * 1.609344, 1e-9, 'ideal range km');
    const d = applyReading(s, 'D', '128,8,4,24,22,18,0,100000,40', 0);
    near(d.odometerKm, 10000 * 1.609344, 1e-6, 'odometer km');
    assert.equal(d.carOn, true);
    near(distanceKm(52, 5, 52, 6), 68.4, 0.2, 'a degree of longitude at 52°');
  });
});
