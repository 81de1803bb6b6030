import type { MetricUpdate } from '../../../src/protocol/v3/index.js';

/**
 * One consistent charging car, as its v3 module publishes it (metric text per V3.md §3.4, native
 * units per §3.3), and the v2 lines its own v2 server would send for it (V3.md §5), field by
 * field. Copied here so the tests need nothing outside the repository.
 */

export const FIRMWARE_VERSION = '3.3.005-45-gabcdef0/ota_0/main (build idf v5.0.7 Jan  1 2026 00:00:00)';

/** 2026-08-22 10:15:00 UTC, published by a module in Central European Summer Time. */
export const LAST_CHARGE_END = Date.UTC(2026, 7, 22, 10, 15, 0) / 1000;
/** 2026-12-01 00:00:00 UTC. */
export const NEXT_SERVICE = Date.UTC(2026, 11, 1) / 1000;

export const CHARGING_CAR: readonly MetricUpdate[] = [
  // F
  ['m.version', FIRMWARE_VERSION],
  ['m.hardware', 'OVMS WIFI BLE BT cores=2 rev=ESP32/3, MODEM SIM7600'],
  ['m.net.sq', '-69'],
  ['m.net.provider', 'Example Net'],
  ['m.net.mdm.mode', 'LTE,Online'],
  ['v.type', 'TR'],
  ['v.vin', '5YJRE1A31A1P01234'],
  ['v.e.serv.range', '12000'],
  ['v.e.serv.time', '2026-12-01 00:00:00 UTC'],
  // S
  ['v.b.soc', '80.5'],
  ['v.c.voltage', '230.6'],
  ['v.c.current', '16'],
  ['v.c.state', 'charging'],
  ['v.c.mode', 'range'],
  ['v.b.range.ideal', '280.7'],
  ['v.b.range.est', '250.2'],
  ['v.c.climit', '16'],
  ['v.c.time', '3600'],
  ['v.c.kwh', '5.26'],
  ['v.c.substate', 'onrequest'],
  ['v.c.timermode', 'yes'],
  ['v.c.timerstart', '22:00:00'],
  ['v.b.cac', '160'],
  ['v.c.duration.full', '120'],
  ['v.c.duration.range', '90'],
  ['v.c.duration.soc', '60'],
  ['v.c.limit.range', '300'],
  ['v.c.limit.soc', '80'],
  ['v.e.cooling', 'no'],
  ['v.b.range.full', '310'],
  ['v.b.power', '-7.2'],
  ['v.c.charging', 'yes'],
  ['v.b.voltage', '390.5'],
  ['v.b.soh', '98'],
  ['v.c.power', '7.4'],
  ['v.c.efficiency', '94'],
  ['v.b.current', '-18.4'],
  ['v.b.range.speed', '45.5'],
  ['v.c.kwh.grid', '5.6'],
  ['v.c.kwh.grid.total', '1234.5'],
  ['v.b.capacity', '58'],
  ['v.c.timestamp', '2026-08-22 12:15:00 CEST'],
  // D
  ['v.d.fl', 'yes'],
  ['v.d.fr', 'no'],
  ['v.d.cp', 'yes'],
  ['v.c.pilot', 'yes'],
  ['v.e.handbrake', 'yes'],
  ['v.e.on', 'no'],
  ['v.e.locked', 'yes'],
  ['v.e.valet', 'no'],
  ['v.e.headlights', 'yes'],
  ['v.d.hood', 'no'],
  ['v.d.trunk', 'yes'],
  ['v.i.temp', '25'],
  ['v.m.temp', '30.5'],
  ['v.b.temp', '22'],
  ['v.p.trip', '12.3'],
  ['v.p.odometer', '45678.9'],
  ['v.p.speed', '0'],
  ['v.e.parktime', '3600'],
  ['v.e.temp', '18'],
  ['v.e.awake', 'yes'],
  ['v.e.c.login', 'no'],
  ['v.e.c.config', 'yes'],
  ['v.b.12v.voltage', '12.6'],
  ['v.e.alarm', 'yes'],
  ['v.b.12v.voltage.ref', '12.4'],
  ['v.d.rl', 'no'],
  ['v.d.rr', 'yes'],
  ['v.e.charging12v', 'yes'],
  ['v.e.aux12v', 'no'],
  ['v.e.hvac', 'yes'],
  ['v.c.temp', '24'],
  ['v.b.12v.current', '1.5'],
  ['v.e.cabintemp', '21'],
  // L
  ['v.p.latitude', '51.503364'],
  ['v.p.longitude', '-0.119519'],
  ['v.p.direction', '270'],
  ['v.p.altitude', '15'],
  ['v.p.gpslock', 'yes'],
  ['v.e.drivemode', '10'],
  ['v.b.energy.used', '1.234'],
  ['v.b.energy.recd', '0.321'],
  ['v.i.power', '-7.5'],
  ['v.i.efficiency', '96'],
  ['v.p.gpsmode', 'AA'],
  ['v.p.satcount', '9'],
  ['v.p.gpshdop', '1.1'],
  ['v.p.gpsspeed', '0.4'],
  ['v.p.gpssq', '85'],
  // Y and W
  ['v.t.pressure', '230,231,229.5,230.2'],
  ['v.t.temp', '21,21.5,20,20.5'],
  ['v.t.alert', '0,0,1,0'],
];

/** The v2 lines for `CHARGING_CAR` in kilometres, module online, canwrite 1. */
export const KM_LINES = {
  S: [
    'S80.5,K,230,16.00,charging,range,280,250,16,3600,0,52,3,1,3,1,79200,0,160.00,120,60,300,80,-1,0,0,0,90,60,310,0',
    `7.20,390.50,98.00,7.40,94.00,-18.40,45.5,5.6,1234.5,58.0,${LAST_CHARGE_END}`,
  ].join(','),
  D: 'D93,168,4,25,30.5,22,123,456789,0,3600,18,129,1,1,12.6,2,12.4,146,24,1.5,21',
  L: 'L51.503364,-0.119519,270,15,1,1,0.0,123,a,-7.200,1.234,0.321,-7.5,96,AA,9,1.1,0.4,85',
  F: [
    `F${FIRMWARE_VERSION}`,
    '5YJRE1A31A1P01234,22,1,TR,Example Net,12000',
    `${NEXT_SERVICE},OVMS WIFI BLE BT cores=2 rev=ESP32/3; MODEM SIM7600,LTE;Online`,
  ].join(','),
  Y: 'Y4,FL,FR,RL,RR,4,230.0,231.0,229.5,230.2,1,4,21.0,21.5,20.0,20.5,1,0,-1,4,0,0,1,0,1,0,-1',
  // FR, RR, FL, RL; stale 0 because v.t.health is undefined (§5.6)
  W: 'W33.5037,21.5,33.3877,20.5,33.3587,21.0,33.2862,20.0,0',
} as const;

/** The distance fields that change for the same car in miles (× 0.62137, truncated). */
export const MILES_LINES = {
  S: [
    'S80.5,M,230,16.00,charging,range,174,155,16,3600,0,52,3,1,3,1,79200,0,160.00,120,60,186,80,-1,0,0,0,90,60,192,0',
    `7.20,390.50,98.00,7.40,94.00,-18.40,28.3,5.6,1234.5,58.0,${LAST_CHARGE_END}`,
  ].join(','),
  // trip and odometer in tenths of a mile; speed (field 9) stays km/h
  D: 'D93,168,4,25,30.5,22,76,283834,0,3600,18,129,1,1,12.6,2,12.4,146,24,1.5,21',
  L: 'L51.503364,-0.119519,270,15,1,1,0.0,76,a,-7.200,1.234,0.321,-7.5,96,AA,9,1.1,0.2,85',
} as const;
