import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerCommand, type CarSettings, defaultSettings } from '../../src/cli/car/car-commands.js';
import { HistoryOutbox } from '../../src/cli/car/history-outbox.js';
import { COMMUTE, distanceKm, Route } from '../../src/cli/car/route.js';
import {
  DEFAULT_IDENTITY,
  environmentPayload,
  firmwarePayload,
  locationPayload,
  statusPayload,
  tpmsLegacyPayload,
  tpmsPayload,
} from '../../src/cli/car/vehicle-messages.js';
import { type ModelEvent, VehicleModel } from '../../src/cli/car/vehicle-model.js';
import type { Phase } from '../../src/cli/car/vehicle-state.js';
import {
  decodeCommand,
  decodeMessage,
  decodeTpms,
  environmentFlags,
  environmentRecord,
  firmwareRecord,
  locationRecord,
  statusRecord,
  tpmsLegacyRecord,
} from '../../src/protocol/messages/index.js';

const START = Date.UTC(2026, 8, 1, 7, 30);
const model = (scenario: Phase = 'park', seed = 1) => new VehicleModel({ scenario, seed, startMs: START });
const settings = (): CarSettings =>
  defaultSettings({ pin: '1234', vehicleId: 'DEMO1', server: 'ovms.example', vehicleType: 'RT' });

function command(m: VehicleModel, s: CarSettings, line: string) {
  const c = decodeCommand(line);
  assert.equal(c.kind, 'command');
  return answerCommand(m, s, c as Exclude<typeof c, { kind: 'invalid' }>);
}

/** Advances minute by minute until `done` holds, collecting the events; fails after `maxMinutes`. */
function runUntil(m: VehicleModel, done: () => boolean, maxMinutes = 600): ModelEvent[] {
  const events: ModelEvent[] = [];
  for (let i = 0; i < maxMinutes && !done(); i++) {
    m.advance(60);
    events.push(...m.takeEvents());
  }
  assert.ok(done(), 'condition not reached in time');
  return events;
}

test('driving moves the car along the route: odometer and trip up, SOC and range down', () => {
  const m = model('drive');
  const before = { ...m.state, ideal: m.idealRangeKm };
  m.advance(300);
  const s = m.state;
  assert.equal(s.phase, 'drive');
  assert.ok(s.speedKph > 0 && s.speedKph <= 80, `speed ${s.speedKph}`);
  assert.ok(s.odometerKm > before.odometerKm + 1, `odometer ${s.odometerKm}`);
  assert.ok(Math.abs(s.tripKm - (s.odometerKm - before.odometerKm)) < 1e-9);
  assert.ok(s.soc < before.soc && s.soc > before.soc - 10, `soc ${s.soc}`);
  assert.ok(m.idealRangeKm < before.ideal);
  assert.ok(distanceKm(s, COMMUTE[0]!) > 1, 'the GPS position has moved away from home');
  assert.ok(s.energyUsedKwh > 0);
  const d = environmentFlags(environmentRecord.decode(environmentPayload(m)));
  assert.equal(d.caron, 0x80);
  assert.equal(d.handbrake, 0);
});

test('a drive ends with a *-LOG-Trip record, then charging raises the SOC until done', () => {
  const m = model('drive', 7);
  const drive = runUntil(m, () => m.state.phase !== 'drive', 60);
  const trip = drive.find((e) => e.kind === 'history');
  assert.ok(trip?.kind === 'history');
  assert.equal(trip.type, '*-LOG-Trip');
  const fields = trip.data.split(',');
  assert.equal(fields.length, 13);
  assert.equal(fields[0], '2026-09-01 07:30:00');
  assert.equal(fields[4], '84.5');
  assert.ok(Number(fields[2]) > 8 && Number(fields[2]) < 10, `trip km ${fields[2]}`);

  assert.equal(m.state.phase, 'charge');
  // Charging starts 30 s after plugging in, possibly within the same minute as the end of the drive.
  const start = [...drive, ...runUntil(m, () => m.charging, 5)];
  assert.ok(
    start.some(
      (e) => e.kind === 'push' && e.alertType === 'I' && e.text.startsWith('Vehicle is now charging'),
    ),
  );
  assert.ok(
    start.some((e) => e.kind === 'history' && e.type === '*-LOG-Grid' && e.data.includes(',charging,')),
  );
  const socAtStart = m.state.soc;
  const minutesAtStart = m.minutesToFull;
  m.advance(600);
  assert.ok(m.state.soc > socAtStart + 5, `soc ${m.state.soc}`);
  assert.ok(m.minutesToFull < minutesAtStart);
  const s = statusRecord.decode(statusPayload(m)).fields;
  assert.equal(s.chargestate, 'charging');
  assert.equal(s.linevoltage, '230');
  assert.equal(s.chargecurrent, '10.00');
  assert.equal(s.chargepower, '2.09');
  assert.equal(environmentFlags(environmentRecord.decode(environmentPayload(m))).charging, 0x10);

  const end = runUntil(m, () => m.state.chargeState === 'done', 120);
  assert.equal(m.state.soc, 100);
  assert.ok(end.some((e) => e.kind === 'push' && e.text.startsWith('Charging done')));
  assert.equal(statusRecord.decode(statusPayload(m)).fields.chargestate, 'done');
});

test('the model is deterministic for a seed', () => {
  const a = model('drive', 42);
  const b = model('drive', 42);
  const c = model('drive', 43);
  for (const x of [a, b, c]) x.advance(400);
  assert.equal(statusPayload(a), statusPayload(b));
  assert.equal(locationPayload(a), locationPayload(b));
  assert.notEqual(locationPayload(a), locationPayload(c));
});

test('S, D, L, F, W and Y decode with the catalogue, with 42/21/19/10/9 fields and v3 values', () => {
  const m = model('park');
  const s = statusRecord.decode(statusPayload(m));
  const d = environmentRecord.decode(environmentPayload(m));
  const l = locationRecord.decode(locationPayload(m));
  const f = firmwareRecord.decode(firmwarePayload(m, DEFAULT_IDENTITY));
  const w = tpmsLegacyRecord.decode(tpmsLegacyPayload(m));
  const counts = [s, d, l, f, w].map(
    (r) => Object.values(r.fields).filter((v) => v !== undefined).length + r.extra.length,
  );
  assert.deepEqual(counts, [42, 21, 19, 10, 9]);
  assert.deepEqual(
    [statusPayload(m), environmentPayload(m)].map((p) => p.split(',').length),
    [42, 21],
  );
  assert.deepEqual(
    [s.fields.soc, s.fields.units, s.fields.chargestate, s.fields.cooldown_active],
    ['84.5', 'K', 'done', '-1'],
  );
  assert.equal(s.fields.charge_time_last_end, '-1');
  assert.deepEqual(
    [d.fields.lockunlock, d.fields.odometer, d.fields.parktimer, d.fields.v12],
    ['5', '128432', '1800', '12.60'],
  );
  assert.deepEqual([l.fields.lat, l.fields.lon, l.fields.gpslock], ['52.090737', '5.121419', '1']);
  assert.equal(f.fields.vehicletype, 'RT');
  assert.equal(f.fields.vin, 'VF1MAF5V6H0781234');
  assert.equal(f.fields.modem, 'LTE;Online');
  assert.match(f.fields.version!, /^3\.3\.\d{3}-/);
  assert.deepEqual([w.fields.fr_p, w.fields.rl_p, w.fields.stale], ['29.0', '37.7', '1']);
  const y = decodeTpms(tpmsPayload(m));
  assert.deepEqual(y.wheels, ['FL', 'FR', 'RL', 'RR']);
  assert.deepEqual(y.pressures?.values, ['200.0', '200.0', '260.0', '260.0']);
  assert.equal(y.health?.count, '0');
  assert.equal(y.sensorMap?.stale, '-1');
  assert.deepEqual(y.extra, []);
  for (const [code, payload] of [
    ['S', statusPayload(m)],
    ['D', environmentPayload(m)],
    ['L', locationPayload(m)],
    ['F', firmwarePayload(m, DEFAULT_IDENTITY)],
    ['W', tpmsLegacyPayload(m)],
    ['Y', tpmsPayload(m)],
  ] as const) {
    assert.notEqual(decodeMessage(code + payload).kind, 'invalid', code);
  }
});

test('lock, unlock and valet need the PIN and show in D: doors2 bits 3 and 4, lock field 4/5', () => {
  const m = model();
  const s = settings();
  const flags = () => {
    const d = environmentRecord.decode(environmentPayload(m));
    return { ...environmentFlags(d), lock: d.fields.lockunlock };
  };
  assert.deepEqual(command(m, s, '20,9999').replies, ['20,1,Invalid PIN']);
  assert.equal(command(m, s, '20').replies[0], '20,1,Invalid PIN');
  assert.deepEqual([flags().carlocked, flags().lock], [0, '5']);
  const locked = command(m, s, '20,1234');
  assert.deepEqual([locked.replies, locked.changed], [['20,0'], true]);
  assert.deepEqual([flags().carlocked, flags().lock], [8, '4']);
  assert.deepEqual(command(m, s, '21,1234').replies, ['21,0']);
  assert.equal(flags().valetmode, 16);
  assert.equal(environmentRecord.decode(environmentPayload(m)).fields.doors2, '24');
  command(m, s, '23,1234');
  command(m, s, '22,1234');
  assert.deepEqual([flags().carlocked, flags().valetmode, flags().lock], [0, 0, '5']);
});

test('command replies have exactly the v3 shapes', () => {
  const m = model();
  const s = settings();
  const features = command(m, s, '1').replies;
  assert.equal(features.length, 32);
  assert.equal(features[0], '1,0,0,32,0');
  assert.equal(features[8], '1,0,8,32,5');
  assert.equal(features[31], '1,0,31,32,0');
  const params = command(m, s, '3').replies;
  assert.equal(params.length, 32);
  assert.deepEqual(
    [params[2], params[8], params[9], params[14]],
    ['3,0,2,32,K', '3,0,8,32,DEMO1', '3,0,9,32,', '3,0,14,32,RT'],
  );
  assert.deepEqual(command(m, s, '2,8,10').replies, ['2,0,']);
  assert.equal(s.features[8], '10');
  assert.deepEqual(command(m, s, '2,40,1').replies, ['2,1,Feature number out of range']);
  assert.deepEqual(command(m, s, '4,23,UTC0').replies, ['4,0,']);
  assert.deepEqual(command(m, s, '4,3,x').replies, ['4,1,Parameter key not supported']);
  assert.deepEqual(command(m, s, '5'), { replies: [], reboot: true });
  assert.deepEqual(command(m, s, '6').replies, ['6,0']);
  assert.deepEqual(command(m, s, '40,123,hello').replies, ['40,2']);
  const ussd = command(m, s, '41,*100#');
  assert.deepEqual(ussd.replies, ['41,0']);
  assert.equal(ussd.followUp?.reply, '41,0,Your balance is EUR 12.34; valid until 31-12-2026.');
  assert.deepEqual(command(m, s, '49,AT+CSQ').replies, ['49,0,OK']);
  for (const code of [30, 99, 204]) assert.deepEqual(command(m, s, String(code)).replies, [`${code},2`]);
  assert.deepEqual(command(m, s, '18').replies, ['18,0']);
  assert.ok(m.awake);
  assert.deepEqual(command(m, s, '24').replies, ['24,0']);
});

test('command 7 runs a shell command: MP-encoded output, result always 0', () => {
  const m = model();
  const [reply] = command(m, settings(), '7,stat').replies;
  assert.equal(
    reply,
    '7,0,OVMS# stat\rNot charging\rSOC: 84.5%\rIdeal range: 82km\rEst. range: 68km\rODO: 12843.2km\rCAC: 108.0Ah\rSOH: 97%',
  );
  assert.equal(command(m, settings(), '7,echo a, b').replies[0], '7,0,OVMS# echo a; b\ra; b');
  assert.equal(
    command(m, settings(), '7,frobnicate').replies[0],
    '7,0,OVMS# frobnicate\rUnrecognised command: frobnicate',
  );
});

test('charge control changes the model and the next S', () => {
  const m = model('charge');
  const s = settings();
  m.advance(60);
  m.takeEvents();
  assert.ok(m.charging);
  assert.deepEqual(command(m, s, '15,6').replies, ['15,0']);
  assert.deepEqual(command(m, s, '10,1').replies, ['10,0']);
  m.advance(1);
  let st = statusRecord.decode(statusPayload(m)).fields;
  assert.deepEqual(
    [st.chargelimit, st.chargecurrent, st.chargemode, st.chargemodeN],
    ['6', '6.00', 'storage', '1'],
  );
  assert.deepEqual(command(m, s, '10,2').replies, ['10,1']);
  assert.deepEqual(command(m, s, '16,0,64').replies, ['16,1']);
  assert.equal(m.state.chargeMode, 1, 'a rejected 16 leaves the mode alone');
  assert.deepEqual(command(m, s, '17,1,90').replies, ['17,0']);

  assert.deepEqual(command(m, s, '12').replies, ['12,0']);
  const events = m.takeEvents();
  assert.ok(
    events.some((e) => e.kind === 'push' && e.alertType === 'A' && e.text.startsWith('Charging stopped')),
  );
  st = statusRecord.decode(statusPayload(m)).fields;
  assert.deepEqual(
    [st.chargestate, st.chargestateN, st.chargepower, st.chargetimer, st.chargestarttime],
    ['stopped', '21', '0', '1', '90'],
  );
  assert.deepEqual(command(m, s, '12').replies, ['12,1']);
  assert.deepEqual(command(m, s, '11').replies, ['11,0']);
  assert.equal(statusRecord.decode(statusPayload(m)).fields.chargestate, 'charging');

  const parked = model('park');
  assert.deepEqual(command(parked, s, '11').replies, ['11,1'], 'cannot charge when not plugged in');
  assert.deepEqual(command(parked, s, '26,1').replies, ['26,0']);
  assert.equal(environmentFlags(environmentRecord.decode(environmentPayload(parked))).hvac, 0x80);
  assert.deepEqual(command(parked, s, '26').replies, ['26,1']);
  command(parked, s, '25');
  assert.equal(statusRecord.decode(statusPayload(parked)).fields.cooldown_active, '0');
});

test('the h outbox numbers records, resends unacked ones after 10 s, and forgets acked ones', () => {
  const box = new HistoryOutbox();
  const t0 = 1_000_000;
  box.add({ type: '*-LOG-Trip', recno: 0, lifetime: 100, data: 'a,b' }, t0);
  box.add({ type: '*-LOG-Grid', recno: 0, lifetime: 100, data: 'c' }, t0);
  assert.deepEqual(box.due(t0 + 2500), ['1,-2,*-LOG-Trip,0,100,a,b', '2,-2,*-LOG-Grid,0,100,c']);
  assert.deepEqual(box.due(t0 + 5000), []);
  assert.equal(box.acknowledge('1'), true);
  assert.equal(box.acknowledge('7'), false);
  assert.deepEqual(box.due(t0 + 12_499), []);
  assert.deepEqual(box.due(t0 + 12_500), ['2,-12,*-LOG-Grid,0,100,c']);
  for (let i = 0; i < 7; i++) box.add({ type: 'X', recno: i, lifetime: 1, data: '' }, t0);
  assert.equal(box.due(t0 + 30_000).length, 5, 'at most five per round');
  box.resendAll();
  assert.equal(box.due(t0 + 30_001).length, 5);
  assert.equal(box.size, 8);
});

test('the route runs out and back with the limits on the right legs', () => {
  const out = new Route(COMMUTE);
  const back = out.reversed();
  assert.ok(Math.abs(out.lengthKm - back.lengthKm) < 1e-9);
  assert.deepEqual([out.at(0).lat, out.at(1e9).lat], [COMMUTE[0]!.lat, COMMUTE.at(-1)!.lat]);
  assert.deepEqual([back.at(0).lat, back.at(1e9).lat], [COMMUTE.at(-1)!.lat, COMMUTE[0]!.lat]);
  assert.equal(out.at(0).limit, 30);
  assert.equal(back.at(0).limit, COMMUTE.at(-2)!.limit);
  assert.ok(out.at(0).heading > 180 && out.at(0).heading < 270, 'heading west-south-west out of town');
});
