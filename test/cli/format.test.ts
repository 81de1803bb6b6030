import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeReceived, duration, messageJson, messageLine } from '../../src/cli/app/format.js';
import {
  formatHistoryRecords,
  formatHistorySummary,
  formatReply,
  formatUsage,
  historyRecordRows,
  historySummaryRows,
  parseSince,
  replyJson,
  table,
  usageRows,
} from '../../src/cli/app/reply-format.js';
import { formatSummary, snapshotFrom, summarize } from '../../src/cli/app/status-summary.js';
import {
  type CommandResponseMessage,
  commandResponse,
  decodeCommandResponse,
} from '../../src/protocol/messages/index.js';

const S =
  '62.3,K,230,10.00,charging,standard,60,52,10,1200,0,7,7,1,0,0,0,0,108.00,35,35,0,0,-1,0,0,0,0,0,97,0,2.09,57.50,97.00,2.30,91.00,-36.35,34.3,0.7,4128.3,5.9,-1';
const D = '28,8,4,19,17,18,91,128523,0,4004,14,3,1,1,13.85,0,12.60,48,38,4.50,15';
const L = '52.043215,5.014056,245,2,1,1,0.0,91,0,-2.090,0.813,0.034,0,0,AA,8,0.9,0.0,83';
const F =
  '3.3.004-187-g5e1c0a9d/ota_1/main (build idf v5.0.7 Aug 14 2026 09:12:41),VF1MAF5V6H0781234,22,1,RT,KPN NL,-1,-1,OVMS WIFI BLE BT cores=2 rev=ESP32/3; MODEM SIM7600,LTE;Online';
const Y = '4,FL,FR,RL,RR,4,206.1,206.0,267.5,267.4,1,4,21.0,21.0,21.5,21.5,1,0,-1,4,0,0,0,0,1,0,-1';

const line = (code: string, text: string) => messageLine(decodeReceived(code, text));
const c = (text: string) => decodeCommandResponse(text) as CommandResponseMessage;

test('each message decodes to one readable line', () => {
  assert.equal(
    line('S', S),
    'S status: SOC 62.3%, ideal range 60 km, estimated 52 km, charge charging (standard), 230 V 10.00 A, 2.09 kW, 35 min to full',
  );
  assert.equal(
    line('D', D),
    'D environment: locked, valet off, car off, parked 1 h 06 min, charging, odometer 12852.3 km, trip 9.1 km, 12V 13.85 V, ambient 14 °C, battery 18 °C, cabin 15 °C',
  );
  assert.equal(
    line('L', L),
    'L location: 52.043215,5.014056 heading 245° altitude 2 m, speed 0.0 km/h, GPS lock, 8 satellites',
  );
  assert.equal(
    line('F', F),
    'F firmware: 3.3.004-187-g5e1c0a9d/ota_1/main (build idf v5.0.7 Aug 14 2026 09:12:41), VIN VF1MAF5V6H0781234, type RT, signal 22, network KPN NL (LTE;Online)',
  );
  assert.equal(
    line('Y', Y),
    'Y tyres: FL 206.1 kPa 21.0 °C, FR 206.0 kPa 21.0 °C, RL 267.5 kPa 21.5 °C, RR 267.4 kPa 21.5 °C',
  );
  assert.equal(
    line('W', '29.9,21,38.8,22,29.9,21,38.8,22,1'),
    'W tyres: FR 29.9 psi 21 °C, RR 38.8 psi 22 °C, FL 29.9 psi 21 °C, RL 38.8 psi 22 °C',
  );
  assert.equal(line('P', 'IVehicle is now charging\rSOC: 40%'), 'P info: Vehicle is now charging | SOC: 40%');
  assert.equal(line('P', 'ACharging stopped'), 'P alert: Charging stopped');
  assert.equal(line('c', '20,0'), 'c lock (20): OK');
  assert.equal(line('c', '20,1,Invalid PIN'), 'c lock (20): failed: Invalid PIN');
  assert.equal(
    line('c', '7,0,OVMS# stat\rNot charging'),
    'c shell command (7): OK: OVMS# stat | Not charging',
  );
  assert.equal(line('c', '204,2'), 'c command 204: not supported by the car');
  assert.equal(line('T', '75'), 'T data age: 1 min');
  assert.equal(line('Z', '1'), 'Z car connected');
  assert.equal(line('Z', '0'), 'Z car not connected');
  assert.equal(line('f', 'ovms-server/0.1.0'), 'f server version: ovms-server/0.1.0');
  assert.equal(line('T', ''), 'T (malformed: T: seconds is not a non-negative integer ("")) ');
  // Codes without a dedicated line (X, generator) fall back to their decoded JSON.
  assert.match(line('X', '1,0'), /^X \{"code":"X",.*"kind":"generator"\}$/);
});

test('JSON output keeps the decoded fields, with the D flags decoded', () => {
  const d = messageJson(decodeReceived('D', D));
  assert.equal(d.kind, 'environment');
  assert.equal((d.fields as Record<string, string>).odometer, '128523');
  assert.deepEqual(
    [(d.flags as Record<string, number>).carlocked, (d.flags as Record<string, number>).charging],
    [8, 16],
  );
  assert.deepEqual(JSON.parse(JSON.stringify(messageJson(decodeReceived('Z', '1')))), {
    code: 'Z',
    kind: 'peers',
    count: 1,
  });
});

test('durations read naturally', () => {
  assert.deepEqual([0, 59, 60, 3599, 3600, 3725, 90061].map(duration), [
    '0 s',
    '59 s',
    '1 min',
    '59 min',
    '1 h 00 min',
    '1 h 02 min',
    '1 d 1 h',
  ]);
  assert.equal(duration(undefined), '?');
});

test('status: the replayed messages become a summary with numbers, and readable text', () => {
  const messages = [
    ['Z', '1'],
    ['F', F],
    ['S', S],
    ['D', D],
    ['L', L],
    ['Y', Y],
    ['T', '42'],
  ].map(([code, text]) => decodeReceived(code!, text!));
  const summary = summarize(snapshotFrom('DEMO1', messages));
  assert.equal(summary.carConnected, true);
  assert.equal(summary.dataAgeSeconds, 42);
  assert.deepEqual(summary.battery, {
    soc: 62.3,
    idealRange: 60,
    estimatedRange: 52,
    maxIdealRange: 97,
    soh: 97,
    cacAh: 108,
    voltage: 57.5,
    current: -36.35,
    capacityKwh: 5.9,
  });
  assert.equal(summary.charge?.charging, true);
  assert.equal(summary.charge?.pluggedIn, true);
  assert.equal(summary.charge?.minutesToFull, 35);
  assert.equal(summary.charge?.powerKw, 2.09);
  assert.deepEqual(summary.doors, { locked: true, valet: false, open: ['charge port'] });
  assert.equal(summary.vehicle?.odometer, 12852.3);
  assert.equal(summary.location?.latitude, 52.043215);
  assert.equal(summary.tpms?.[2]?.pressureKpa, 267.5);
  assert.equal(summary.firmware?.vehicleType, 'RT');
  assert.equal(
    formatSummary(summary),
    [
      'Vehicle DEMO1: car online, data 42 s old',
      '  Battery       SOC 62.3%, ideal range 60 km, estimated 52 km, SOH 97%',
      '  Charge        charging (standard), plugged in, 230 V 10 A, 2.09 kW, 35 min to full, 0.7 kWh so far',
      '  Doors         locked, valet off, open: charge port',
      '  Vehicle       off, parked 1 h 06 min, odometer 12852.3 km, trip 9.1 km',
      '  Temperatures  ambient 14 °C, cabin 15 °C, battery 18 °C, motor 17 °C, inverter 19 °C',
      '  12 V          13.85 V, 4.50 A',
      '  Location      52.043215, 5.014056, heading 245°, altitude 2 m, GPS lock',
      '  Tyres         FL 206.1 kPa 21 °C, FR 206.0 kPa 21 °C, RL 267.5 kPa 21.5 °C, RR 267.4 kPa 21.5 °C',
      '  Firmware      3.3.004-187-g5e1c0a9d/ota_1/main (build idf v5.0.7 Aug 14 2026 09:12:41), type RT, VIN VF1MAF5V6H0781234',
      '  Network       KPN NL, LTE;Online, signal 22',
    ].join('\n'),
  );
});

test('status with nothing stored says so', () => {
  const summary = summarize(snapshotFrom('EMPTY', [decodeReceived('Z', '0')]));
  assert.equal(summary.battery, undefined);
  assert.equal(formatSummary(summary), 'Vehicle EMPTY: car offline, no data stored yet');
});

test('command replies: successes print, failures carry the car text', () => {
  const ok = (lines: CommandResponseMessage[]) => ({ result: lines.at(-1)?.result ?? 0, lines });
  assert.deepEqual(formatReply(20, ok([c('20,0')])), { ok: true, text: 'lock (20): OK' });
  assert.deepEqual(formatReply(20, ok([c('20,1,Invalid PIN')])), {
    ok: false,
    text: 'lock (20) failed: Invalid PIN',
  });
  assert.deepEqual(formatReply(40, ok([c('40,2')])), {
    ok: false,
    text: 'send SMS (40) not supported by the car',
  });
  assert.deepEqual(formatReply(7, ok([c('7,0,OVMS# stat\rSOC: 80%')])), {
    ok: true,
    text: 'OVMS# stat\nSOC: 80%',
  });
  assert.deepEqual(formatReply(5, ok([])), { ok: true, text: 'reboot (5): sent, no reply expected' });
  const features = Array.from({ length: 32 }, (_, n) => c(`1,0,${n},32,${n === 8 ? 5 : 0}`));
  const text = formatReply(1, ok(features)).text.split('\n');
  assert.equal(text.length, 33);
  assert.deepEqual([text[0], text[9]], ['feature  value', '8        5']);
  assert.deepEqual(replyJson(20, ok([commandResponse(20, 1, ['Invalid PIN'])])), {
    command: 20,
    name: 'lock',
    result: 1,
    ok: false,
    lines: [{ result: 1, params: ['Invalid PIN'], text: 'Invalid PIN' }],
  });
});

test('server lists 30, 31 and 32 become rows and tables', () => {
  const usage = usageRows([c('30,0,1,1,2026-09-01,1200,3400,5600,780')]);
  assert.deepEqual(usage, [
    { date: '2026-09-01', carReceived: 1200, carSent: 3400, appsReceived: 5600, appsSent: 780 },
  ]);
  assert.equal(
    formatUsage(usage),
    'date        car rx  car tx  apps rx  apps tx\n2026-09-01  1200    3400    5600     780',
  );
  const summary = historySummaryRows([
    c('31,0,1,2,*-LOG-Trip,2,2,260,2026-09-01 07:43:17,2026-09-01 09:02:11'),
    c('31,0,2,2,S,1,14,2296,2026-09-01 07:30:00,2026-09-01 09:10:00'),
  ]);
  assert.deepEqual(summary[0], {
    type: '*-LOG-Trip',
    records: 2,
    rows: 2,
    bytes: 260,
    first: '2026-09-01 07:43:17',
    last: '2026-09-01 09:02:11',
  });
  assert.equal(
    formatHistorySummary(summary).split('\n')[1],
    '*-LOG-Trip  2        2     260    2026-09-01 07:43:17  2026-09-01 09:02:11',
  );
  const records = historyRecordRows([
    c('32,0,1,1,*-LOG-Grid,2026-09-01 07:43:47,0,2026-09-01 07:43:47,charging,standard,71.7'),
  ]);
  assert.deepEqual(records, [
    {
      type: '*-LOG-Grid',
      time: '2026-09-01 07:43:47',
      recno: 0,
      data: '2026-09-01 07:43:47,charging,standard,71.7',
    },
  ]);
  assert.equal(
    formatHistoryRecords(records).split('\n')[1],
    '2026-09-01 07:43:47  0      2026-09-01 07:43:47,charging,standard,71.7',
  );
  assert.equal(table(['a', 'bb'], [['xyz', 1]]), 'a    bb\nxyz  1');
});

test('--since accepts ages and dates and gives the server form', () => {
  const now = Date.UTC(2026, 8, 1, 12, 0, 0);
  assert.equal(parseSince('2h', now), '2026-09-01 10:00:00');
  assert.equal(parseSince('7d', now), '2026-08-25 12:00:00');
  assert.equal(parseSince('2026-08-30', now), '2026-08-30 00:00:00');
  assert.equal(parseSince('2026-08-30 08:15', now), '2026-08-30 08:15:00');
  assert.equal(parseSince('2026-08-30T08:15:10Z', now), '2026-08-30 08:15:10');
  assert.throws(() => parseSince('yesterday', now), /invalid --since/);
});
