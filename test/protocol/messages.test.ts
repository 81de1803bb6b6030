import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CommandResponse,
  decodeCapabilities,
  decodeHistory,
  decodeMessage,
  decodePush,
  decodePushSubscription,
  decodeTpms,
  encodeCapabilities,
  encodeMessage,
  encodePushSubscription,
  encodeTpms,
  environmentFlags,
  environmentRecord,
  groupLocationRecord,
  historyAckCode,
  isFinalResponseLine,
  locationRecord,
  MESSAGE_CATALOGUE,
  type Message,
  normalizeGroupName,
  type Origin,
  relayGroupUpdate,
  statusRecord,
  storesLatest,
  supportsCommand,
  tpmsLegacyRecord,
  tpmsWheels,
  vehicleCapabilities,
} from '../../src/protocol/messages/index.js';

// Realistic v3 lines (from WIRE.md's vectors.json car and app sessions).
const S_V3 =
  'S80.5,K,230,16.00,charging,standard,280,250,16,3600,0,52,0,1,0,0,0,0,160.00,120,90,0,80,-1,0,0,0,90,120,310,0,3.50,390.50,98.00,3.70,94.00,-9.00,12.3,5.2,1234.5,58.0,-1';
const D_V3 = 'D96,8,4,25,30,22,123,456789,0,3600,18,1,1,1,12.60,0,12.40,0,24,1.5,21';
const L_V3 = 'L51.503364,-0.119519,270,15,1,1,0.0,123,0,0.000,1.234,0.321,0,0,AA,9,1.1,0.0,85';
const F_V3 =
  'F3.3.005-45-gabcdef0/ota_0/main (build idf v5.0.7 Jan  1 2026 00:00:00),5YJRE1A31A1P01234,22,0,TR,Example Net,-1,-1,OVMS WIFI BLE BT cores=2 rev=ESP32/3; MODEM SIM7600,LTE;Online';
const Y_V3 = 'Y4,FL,FR,RL,RR,4,230.0,231.0,229.5,230.2,1,0,-1,0,-1,0,-1,0,-1';

/** [line, expected kind, origin] for every code; each must decode to that kind and encode back unchanged. */
const ROUND_TRIPS: [string, Message['kind'], Origin?][] = [
  ['A', 'ping'],
  ['AFA', 'ping'],
  ['a', 'ping-ack'],
  ['C7,server v2 status', 'command'],
  ['C30', 'command'],
  ['C7,', 'command'],
  ['C32,RT-BAT-C,2026-01-01 00:00:00', 'command'],
  ['c7,0,State: Connected\rOK', 'command-response'],
  ['c2,0,', 'command-response'],
  ['c6,0', 'command-response'],
  ['c30,0,1,1,2026-01-31,1024,2048,512,256', 'command-response'],
  [D_V3, 'environment'],
  ['ETParanoidToken123456789', 'paranoid-token'],
  ['EMSdj+IxhMC1GlvANZ8VZygZyW', 'paranoid-message'],
  [F_V3, 'firmware'],
  ['f3.0.0-custom', 'server-version'],
  ['GTesla', 'group-subscribe'],
  ['gtesla,80,0,90,15,1,1,51.5,-0.1', 'group-update'],
  ['gTESTCAR,TESLA,80,0,90,15,1,1,51.5,-0.1', 'group-relay', 'server'],
  ['H*-OVM-DebugCrash,0,86400,crash,at,0x1234', 'history'],
  ['h17,-5,*-LOG-Trip,0,31536000,example;data', 'history-with-ack'],
  ['h17', 'history-ack', 'server'],
  [L_V3, 'location'],
  ['PAVehicle is now charging', 'push'],
  ['PERT,12,305419896', 'push'],
  [
    'pd3b07384-d9a0-4c8a-9d7f-000000000001,gcm,production,TESTCAR,testpass,fcmTokenABC123',
    'push-subscription',
  ],
  [S_V3, 'status'],
  ['T12', 'update-age'],
  ['VRT,C1-6,C40-41,C49', 'capabilities'],
  ['W30.5,20,31.0,21,30.2,1,30.9,1,1', 'tpms-legacy'],
  ['X1,1,230,10.00,2.30,95.00,type2,exporting,0,0,16,0,20,1.5,1.6,20.0,600,0,0,120,0,0,25.0,-1', 'generator'],
  [Y_V3, 'tpms'],
  ['Z1', 'peers'],
  ['Rold,replication', 'unknown'],
  ['', 'unknown'],
];

test('every message code decodes to its kind and encodes back to the identical line', () => {
  for (const [line, kind, origin] of ROUND_TRIPS) {
    const message = decodeMessage(line, origin);
    assert.equal(message.kind, kind, line);
    assert.equal(encodeMessage(message), line, line);
  }
});

test('S: all 42 v3 fields are named and kept as raw strings', () => {
  const message = decodeMessage(S_V3);
  assert.equal(message.kind, 'status');
  if (message.kind !== 'status') return;
  assert.equal(message.fields.soc, '80.5');
  assert.equal(message.fields.chargecurrent, '16.00');
  assert.equal(message.fields.chargeduration, '3600');
  assert.equal(message.fields.cooldown_active, '-1');
  assert.equal(message.fields.batt_capacity, '58.0');
  assert.equal(message.fields.charge_time_last_end, '-1');
  assert.deepEqual(message.extra, []);
  // @ts-expect-error: not a field of S
  assert.equal(message.fields.nope, undefined);
});

test('S: older (short), newer (longer), empty and hand-made payloads', () => {
  const short = statusRecord.decode('85,K,0,0,done,standard,300,280');
  assert.equal(short.fields.estimatedrange, '280');
  assert.equal(short.fields.chargelimit, undefined);
  assert.equal(statusRecord.encode(short), '85,K,0,0,done,standard,300,280');

  const longer = statusRecord.decode(`${S_V3.slice(1)},new1,,new3`);
  assert.equal(longer.fields.charge_time_last_end, '-1');
  assert.deepEqual(longer.extra, ['new1', '', 'new3']);
  assert.equal(statusRecord.encode(longer), `${S_V3.slice(1)},new1,,new3`);

  const empty = statusRecord.decode('');
  assert.equal(empty.fields.soc, undefined);
  assert.equal(statusRecord.encode(empty), '');

  const trailing = statusRecord.decode('85,K,');
  assert.equal(trailing.fields.linevoltage, '');
  assert.equal(statusRecord.encode(trailing), '85,K,');

  assert.equal(statusRecord.encode(statusRecord.create({ soc: '50', linevoltage: '230' })), '50,,230');
});

test('D: environmentFlags returns masked bit values', () => {
  const message = decodeMessage(D_V3);
  assert.equal(message.kind, 'environment');
  if (message.kind !== 'environment') return;
  const real = environmentFlags(message);
  assert.equal(real.handbrake, 64);
  assert.equal(real.caron, 0);
  assert.equal(real.carlocked, 8);
  assert.equal(real.carawake, 1);
  assert.equal(real.alarmsounding, 0);

  const all = environmentRecord.decode('255,248,4,0,0,0,0,0,0,0,0,3,0,0,12.6,6,12.4,147');
  assert.deepEqual(environmentFlags(all), {
    fl_dooropen: 1,
    fr_dooropen: 2,
    cp_dooropen: 4,
    pilotpresent: 8,
    charging: 16,
    handbrake: 64,
    caron: 128,
    carlocked: 8,
    valetmode: 16,
    headlights: 32,
    bt_open: 64,
    tr_open: 128,
    carawake: 1,
    alarmsounding: 2,
    rl_dooropen: 1,
    rr_dooropen: 2,
    charging_12v: 16,
    hvac: 128,
  });
  const garbage = environmentFlags(environmentRecord.decode('x,,4'));
  assert.equal(garbage.fl_dooropen + garbage.carlocked + garbage.hvac + garbage.carawake, 0);
});

test('L and W: fields by name', () => {
  const location = locationRecord.decode(L_V3.slice(1));
  assert.equal(location.fields.lat, '51.503364');
  assert.equal(location.fields.invefficiency, '0');
  assert.equal(location.fields.gpsmode, 'AA');
  assert.equal(location.fields.gpssignal, '85');
  const tpms = tpmsLegacyRecord.decode('30.5,20,31.0,21,30.2,1,30.9,1,1');
  assert.equal(tpms.fields.rr_p, '31.0');
  assert.equal(tpms.fields.stale, '1');
});

test('Y: decodes the WIRE example, per-wheel values and a truncated line', () => {
  const y = decodeTpms(Y_V3.slice(1));
  assert.deepEqual(y.wheels, ['FL', 'FR', 'RL', 'RR']);
  assert.deepEqual(y.pressures, { count: '4', values: ['230.0', '231.0', '229.5', '230.2'], stale: '1' });
  assert.deepEqual(y.temperatures, { count: '0', values: [], stale: '-1' });
  assert.deepEqual(y.sensorMap, { count: '0', values: [], stale: '-1' });
  assert.deepEqual(y.extra, []);

  const full = '4,FL,FR,RL,RR,4,230.0,231.0,,230.2,1,4,21.0,21.5,22.0,22.5,0,0,-1,4,0,0,2,0,1,0,-1';
  const wheels = tpmsWheels(decodeTpms(full));
  assert.deepEqual(wheels[2], {
    name: 'RL',
    pressure: '',
    temperature: '22.0',
    health: undefined,
    alert: '2',
  });

  const cut = decodeTpms('4,FL,FR,RL,RR,4,230.0,231');
  assert.deepEqual(cut.pressures, { count: '4', values: ['230.0', '231'], stale: undefined });
  assert.equal(cut.temperatures, undefined);
  assert.equal(encodeTpms(cut), '4,FL,FR,RL,RR,4,230.0,231');
  assert.equal(encodeTpms(decodeTpms('2,FL')), '2,FL');
});

test('V: command ranges and vehicle capabilities', () => {
  const v = decodeCapabilities('RT,C1-6,C40-41,C49,C01');
  assert.deepEqual(vehicleCapabilities(v), ['RT', 'C01']);
  assert.deepEqual(
    [3, 6, 7, 40, 41, 42, 49, 1].map((n) => supportsCommand(v, n)),
    [true, true, false, true, true, false, true, true],
  );
  assert.equal(encodeCapabilities(v), 'RT,C1-6,C40-41,C49,C01');
});

test('P: alert types, and the error-code form', () => {
  const alert = decodePush('AVehicle is now charging');
  assert.equal(alert.alertType, 'A');
  assert.equal(alert.text, 'Vehicle is now charging');
  assert.equal(alert.error, undefined);
  assert.deepEqual(decodePush('ERT,12,305419896').error, {
    vehicleType: 'RT',
    errorCode: '12',
    data: '305419896',
  });
  assert.deepEqual(decodePush('ERT,12').error, { vehicleType: 'RT', errorCode: '12', data: undefined });
});

test('p: vehicle form with commas in the netpass, simple form, incomplete form', () => {
  const withCommas = 'app1,apns,sandbox,TESTCAR,pa,ss,,word,tok123';
  const sub = decodePushSubscription(withCommas);
  assert.deepEqual(sub.target, {
    kind: 'vehicle',
    vehicleId: 'TESTCAR',
    netpass: 'pa,ss,,word',
    keyValue: 'tok123',
  });
  assert.equal(sub.keyType, 'sandbox');
  assert.equal(encodePushSubscription(sub), withCommas);

  const simple = decodePushSubscription('app2,mail,simple,me@example.com');
  assert.deepEqual(simple.target, { kind: 'simple', value: 'me@example.com' });
  assert.equal(encodePushSubscription(simple), 'app2,mail,simple,me@example.com');

  for (const payload of ['app3,gcm,production', 'app3,gcm', 'app3', '', 'app3,gcm,production,ONLY,two']) {
    const incomplete = decodePushSubscription(payload);
    assert.equal(incomplete.target.kind, 'incomplete', payload);
    assert.equal(encodePushSubscription(incomplete), payload);
  }
});

test('h and H: commas in data, missing fields and bad numbers give errors, acks', () => {
  const record = decodeMessage('h18,-60,*-LOG-Trip,3,86400,a,b,,c');
  assert.equal(record.kind, 'history-with-ack');
  if (record.kind === 'history-with-ack') {
    assert.deepEqual(
      [record.ack, record.timeDiff, record.type, record.recordNumber, record.lifetime, record.data],
      ['18', -60, '*-LOG-Trip', 3, 86400, 'a,b,,c'],
    );
  }
  const missing = decodeMessage('h17,-5,*-LOG-Trip');
  assert.equal(missing.kind, 'invalid');
  if (missing.kind === 'invalid') assert.match(missing.error, /got 3 field/);
  assert.equal(historyAckCode('17,-5,*-LOG-Trip'), '17');

  for (const [line, reason] of [
    ['h17,x,T,0,10,d', /timediff/],
    ['h17,0,T,007,10,d', /recno/],
    ['h17,0,T,0,-10,d', /lifetime/],
    ['h17,0,,0,10,d', /type is empty/],
    ['H*-X,1,100', /got 3 field/],
    ['Hx,one,100,d', /recno/],
  ] as const) {
    const result = decodeMessage(line);
    assert.equal(result.kind, 'invalid', line);
    if (result.kind === 'invalid') assert.match(result.error, reason);
    assert.equal(encodeMessage(result), line);
  }
  const empty = decodeHistory('T,1,100,');
  assert.equal(empty.kind === 'history' && empty.data, '');

  const ack = decodeMessage('h17', 'server');
  assert.deepEqual(ack, { code: 'h', kind: 'history-ack', ack: '17' });
});

test('G and g: group names upper-cased (ASCII only), relay form', () => {
  assert.equal(normalizeGroupName('tesla-grp ÿé'), 'TESLA-GRP ÿé');
  const update = decodeMessage('gtesla,80,0,90,15,1,1,51.5,-0.1');
  assert.equal(update.kind, 'group-update');
  if (update.kind !== 'group-update') return;
  const relay = relayGroupUpdate('TESTCAR', update);
  assert.equal(encodeMessage(relay), 'gTESTCAR,TESLA,80,0,90,15,1,1,51.5,-0.1');
  assert.equal(groupLocationRecord.decode(update.data).fields.longitude, '-0.1');
  assert.equal(decodeMessage('gnodata').kind, 'invalid');
  assert.equal(decodeMessage('gCAR,GROUP', 'server').kind, 'invalid');
});

test('E: token and wrapped message structure', () => {
  assert.deepEqual(decodeMessage('ETParanoidToken123456789'), {
    code: 'E',
    kind: 'paranoid-token',
    token: 'ParanoidToken123456789',
  });
  assert.deepEqual(decodeMessage('EMCeSPV'), {
    code: 'E',
    kind: 'paranoid-message',
    innerCode: 'C',
    payload: 'eSPV',
  });
  assert.equal(decodeMessage('EM').kind, 'invalid');
  assert.equal(decodeMessage('EXabc').kind, 'invalid');
});

test('C and c: parameters, trailing empty field, text with commas, invalid numbers', () => {
  assert.deepEqual(decodeMessage('C7,server v2 status'), {
    code: 'C',
    kind: 'command',
    command: 7,
    params: ['server v2 status'],
    rawParams: 'server v2 status',
  });
  const bare = decodeMessage('C30');
  assert.equal(bare.kind === 'command' && bare.params.length, 0);
  const empty = decodeMessage('c2,0,');
  assert.equal(empty.kind, 'command-response');
  if (empty.kind === 'command-response') assert.deepEqual([empty.params, empty.text], [[''], '']);
  const failure = decodeMessage('c41,1,modem busy, try later');
  assert.equal(failure.kind === 'command-response' && failure.text, 'modem busy, try later');
  for (const line of ['Cabc', 'C70000', 'C', 'c5', 'c7,ok', 'c,0'])
    assert.equal(decodeMessage(line).kind, 'invalid', line);
});

function response(line: string) {
  const message = decodeMessage(line);
  assert.equal(message.kind, 'command-response', line);
  return message as CommandResponse;
}

test('isFinalResponseLine: 1/3 count from 0, 30/31/32 from 1, errors end a reply', () => {
  const feature = Array.from({ length: 32 }, (_, n) => isFinalResponseLine(response(`c1,0,${n},32,0`)));
  assert.deepEqual(
    feature.map((last, n) => (last ? n : -1)).filter((n) => n >= 0),
    [31],
  );
  assert.equal(isFinalResponseLine(response('c3,0,31,32,')), true);
  assert.equal(isFinalResponseLine(response('c3,0,30,32,')), false);
  assert.equal(isFinalResponseLine(response('c1,1,not now')), true);
  assert.equal(isFinalResponseLine(response('c1,0,x,y,z')), true);
  assert.equal(isFinalResponseLine(response('c30,0,1,2,2026-01-30,1,2,3,4')), false);
  assert.equal(isFinalResponseLine(response('c30,0,2,2,2026-01-31,1,2,3,4')), true);
  assert.equal(isFinalResponseLine(response('c31,0,1,1,RT-BAT-C,1,1,50,a,b')), true);
  assert.equal(isFinalResponseLine(response('c32,0,3,5,RT-BAT-C,2026-01-01 00:00:00,0,d')), false);
  assert.equal(isFinalResponseLine(response('c32,1,No historical data available')), true);
  assert.equal(isFinalResponseLine(response('c7,0,x')), true);
  assert.equal(isFinalResponseLine(response('c2,0,')), true);
});

test('T, Z, f and ping payloads', () => {
  assert.deepEqual(decodeMessage('T3020399'), { code: 'T', kind: 'update-age', seconds: 3020399 });
  assert.equal(decodeMessage('T').kind, 'invalid');
  assert.equal(decodeMessage('T-1').kind, 'invalid');
  assert.deepEqual(decodeMessage('Z2'), { code: 'Z', kind: 'peers', count: 2 });
  assert.equal(encodeMessage({ code: 'T', kind: 'update-age', seconds: 12.9 }), 'T12');
  assert.deepEqual(decodeMessage('f3.0.0'), { code: 'f', kind: 'server-version', version: '3.0.0' });
  assert.deepEqual(decodeMessage('AFA'), { code: 'A', kind: 'ping', payload: 'FA' });
});

test('catalogue: stored codes, directions, unknown codes', () => {
  assert.deepEqual(
    [...'SDLFWYXVQ'].map(storesLatest),
    Array.from({ length: 9 }, () => true),
  );
  assert.deepEqual(
    [...'AaPpECcgGHhTZf', ''].map(storesLatest),
    Array.from({ length: 15 }, () => false),
  );
  assert.deepEqual(MESSAGE_CATALOGUE.C.directions, ['app-to-server', 'server-to-car']);
  assert.equal(MESSAGE_CATALOGUE.Y.label, 'TPMS');
  assert.deepEqual(decodeMessage('Qnew,car,message'), {
    code: 'Q',
    kind: 'unknown',
    payload: 'new,car,message',
  });
});

/** Small deterministic PRNG (mulberry32) so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('decodeMessage never throws and always round-trips on random input', () => {
  const next = random(0x0b5);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const codes = [...Object.keys(MESSAGE_CATALOGUE), 'Q', ''];
  const tokens = [
    '',
    '0',
    '1',
    '-1',
    '-5',
    '007',
    '32',
    '65536',
    'C1-6',
    'C7',
    'T',
    'M',
    'x',
    ' ',
    'é\u00ff',
    '\r',
    '4',
  ];
  const chars = 'ACEFGHLMPSTVWXYZachpgt0123456789,,,,-. \r\u00e9\u00ff\u0000';
  for (let i = 0; i < 4000; i++) {
    const line =
      i % 2 === 0
        ? pick(codes) + Array.from({ length: Math.floor(next() * 12) }, () => pick(tokens)).join(',')
        : Array.from({ length: Math.floor(next() * 40) }, () => pick([...chars])).join('');
    for (const origin of ['car', 'app', 'server'] as const) {
      const message = decodeMessage(line, origin);
      assert.equal(encodeMessage(message), line, JSON.stringify({ line, origin }));
    }
  }
});
