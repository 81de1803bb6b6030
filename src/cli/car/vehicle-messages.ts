import {
  encodeTpms,
  environmentRecord,
  firmwareRecord,
  locationRecord,
  statusRecord,
  tpmsGroup,
  tpmsLegacyRecord,
} from '../../protocol/messages/index.js';
import { mpEncode } from '../../protocol/mp-encoding.js';
import type { VehicleModel } from './vehicle-model.js';
import { CAR, CHARGE_MODES, CHARGE_STATE_NUMBER } from './vehicle-state.js';

/**
 * The car's data messages (S, D, L, F, W, Y), built from the model the way v3 formats them
 * (WIRE.md §3.2): field counts, decimals and the odd conventions (stale flags where 1 means fresh,
 * cooldown 0 while cooling, -1 for unknown) included. Built through the protocol catalogue's
 * record codecs so the field order cannot drift from the decoder's.
 */

/** What the module says about itself in `F`; fixed for a given car. */
export interface CarIdentity {
  firmware: string;
  vin: string;
  vehicleType: string;
  provider: string;
  hardware: string;
  modem: string;
  /** Feature 15, "CAN write" enabled. */
  canwrite: string;
}

export const DEFAULT_IDENTITY: CarIdentity = {
  firmware: '3.3.004-187-g5e1c0a9d/ota_1/main (build idf v5.0.7 Aug 14 2026 09:12:41)',
  vin: 'VF1MAF5V6H0781234',
  vehicleType: 'RT',
  provider: 'KPN NL',
  hardware: 'OVMS WIFI BLE BT cores=2 rev=ESP32/3; MODEM SIM7600',
  modem: 'LTE,Online',
  canwrite: '1',
};

const f2 = (n: number) => n.toFixed(2);
const int = (n: number) => String(Math.round(n));

/** Battery pack voltage from SOC: a simple, monotonic open-circuit curve around the nominal voltage. */
function packVoltage(soc: number): number {
  return CAR.nominalVoltage - 3.4 + (soc / 100) * 5.2;
}

export function statusPayload(model: VehicleModel): string {
  const s = model.state;
  const charging = model.charging;
  const volts = packVoltage(s.soc);
  const etr = model.minutesToFull;
  const idealMax = (CAR.idealRangeMaxKm * CAR.sohPercent) / 100;
  const record = statusRecord.create({
    soc: s.soc.toFixed(1),
    units: 'K',
    linevoltage: charging ? int(CAR.lineVoltage) : '0',
    chargecurrent: f2(charging ? s.chargeAmps : 0),
    chargestate: s.chargeState ?? '',
    chargemode: CHARGE_MODES[s.chargeMode] ?? 'standard',
    idealrange: int(model.idealRangeKm),
    estimatedrange: int(model.estimatedRangeKm),
    chargelimit: int(s.chargeLimitAmps),
    chargeduration: int(s.chargeSeconds),
    chargeb4: '0',
    chargekwh: int(s.chargeKwh * 10),
    chargesubstate: charging ? '7' : '0',
    chargestateN: s.chargeState ? String(CHARGE_STATE_NUMBER[s.chargeState]) : '0',
    chargemodeN: String(s.chargeMode),
    chargetimer: String(s.timerMode),
    chargestarttime: String(s.timerStart),
    chargetimerstale: '0',
    cac100: f2(CAR.cacAh),
    etr_full: String(etr),
    etr_limit: String(etr),
    limit_range: '0',
    limit_soc: String(s.socLimit),
    cooldown_active: s.cooldownSeconds > 0 ? '0' : '-1',
    cooldown_tbattery: '0',
    cooldown_timelimit: '0',
    charge_estimate: '0',
    etr_range: '0',
    etr_soc: s.socLimit > 0 ? String(etr) : '0',
    idealrange_max: int(idealMax),
    chargetype: '0',
    chargepower: charging ? f2(model.chargePowerKw) : '0',
    battvoltage: f2(volts),
    soh: f2(CAR.sohPercent),
    chargepowerinput: f2(model.chargePowerInputKw),
    chargerefficiency: f2(charging ? CAR.chargerEfficiency * 100 : 0),
    battcurrent: f2((s.powerKw * 1000) / volts),
    battrangespeed: (charging ? model.chargePowerKw / (CAR.capacityKwh / CAR.idealRangeMaxKm) : 0).toFixed(1),
    chargekwhgrid: s.chargeKwh.toFixed(1),
    chargekwhgridtotal: s.gridKwhTotal.toFixed(1),
    batt_capacity: ((CAR.capacityKwh * CAR.sohPercent) / 100).toFixed(1),
    charge_time_last_end: s.lastChargeEndMs === undefined ? '-1' : int(s.lastChargeEndMs / 1000),
  });
  return statusRecord.encode(record);
}

/** D's bit sets (WIRE.md §3.2), exported for tests and the shell's `stat`. */
export function doorBits(model: VehicleModel): {
  doors1: number;
  doors2: number;
  doors3: number;
  doors5: number;
} {
  const s = model.state;
  const driving = s.phase === 'drive';
  const dcdc = driving || model.charging;
  return {
    doors1: (s.plugged ? 0x04 | 0x08 : 0) | (model.charging ? 0x10 : 0) | (driving ? 0x80 : 0x40),
    doors2: (s.locked ? 0x08 : 0) | (s.valet ? 0x10 : 0) | (s.headlights ? 0x20 : 0),
    doors3: (model.awake ? 0x01 : 0) | (dcdc ? 0x02 : 0),
    doors5: (dcdc ? 0x10 : 0) | (model.awake ? 0x20 : 0) | (s.climate || s.cooldownSeconds > 0 ? 0x80 : 0),
  };
}

export function environmentPayload(model: VehicleModel): string {
  const s = model.state;
  const bits = doorBits(model);
  const record = environmentRecord.create({
    doors1: String(bits.doors1),
    doors2: String(bits.doors2),
    lockunlock: s.locked ? '4' : '5',
    tpem: int(s.pem),
    tmotor: int(s.motor),
    tbattery: int(s.battery),
    trip: int(s.tripKm * 10),
    odometer: int(s.odometerKm * 10),
    speed: int(s.speedKph),
    parktimer: s.phase === 'drive' ? '0' : int(s.parkSeconds),
    ambient: int(s.ambient),
    doors3: String(bits.doors3),
    staletemps: '1',
    staleambient: '1',
    v12: f2(s.v12),
    doors4: '0',
    v12_ref: '12.60',
    doors5: String(bits.doors5),
    tcharger: int(s.charger),
    v12_current: f2(s.v12Current),
    tcabin: int(s.cabin),
  });
  return environmentRecord.encode(record);
}

export function locationPayload(model: VehicleModel): string {
  const s = model.state;
  const driving = s.phase === 'drive';
  // Satellites and HDOP wobble a little with the position, deterministically.
  const wobble = Math.abs(Math.sin(s.lat * 1e4 + s.lon * 1e4));
  const record = locationRecord.create({
    lat: s.lat.toFixed(6),
    lon: s.lon.toFixed(6),
    direction: int(s.heading),
    altitude: int(s.alt),
    gpslock: '1',
    stalegps: '1',
    speed: s.speedKph.toFixed(1),
    tripmeter: int(s.tripKm * 10),
    drivemode: driving ? '1' : '0',
    power: s.powerKw.toFixed(3),
    energyused: s.energyUsedKwh.toFixed(3),
    energyrecd: s.energyRecdKwh.toFixed(3),
    invpower: driving ? s.powerKw.toFixed(3) : '0',
    invefficiency: driving ? '92' : '0',
    gpsmode: 'AA',
    gpssats: String(7 + Math.round(wobble * 4)),
    gpshdop: (0.8 + wobble * 0.6).toFixed(1),
    gpsspeed: s.speedKph.toFixed(1),
    gpssignal: String(80 + Math.round(wobble * 15)),
  });
  return locationRecord.encode(record);
}

export function firmwarePayload(model: VehicleModel, id: CarIdentity): string {
  const record = firmwareRecord.create({
    version: mpEncode(id.firmware),
    vin: id.vin,
    signal: int(model.state.signal),
    canwrite: id.canwrite,
    vehicletype: id.vehicleType,
    provider: mpEncode(id.provider),
    service_range: '-1',
    service_time: '-1',
    hardware: mpEncode(id.hardware),
    modem: mpEncode(id.modem),
  });
  return firmwareRecord.encode(record);
}

const KPA_TO_PSI = 0.1450377;

/** `Y`: four wheels FL, FR, RL, RR; no health data (an undefined section is `0,-1`). */
export function tpmsPayload(model: VehicleModel): string {
  const { pressures, temperatures } = model.state.tyres;
  return encodeTpms({
    wheelCount: '4',
    wheels: ['FL', 'FR', 'RL', 'RR'],
    pressures: tpmsGroup(
      pressures.map((p) => p.toFixed(1)),
      '1',
    ),
    temperatures: tpmsGroup(
      temperatures.map((t) => t.toFixed(1)),
      '1',
    ),
    health: tpmsGroup([], '-1'),
    alerts: tpmsGroup(['0', '0', '0', '0'], '1'),
    sensorMap: tpmsGroup([], '-1'),
    extra: [],
  });
}

/** `W`: the old four-wheel form, in psi and in the order FR, RR, FL, RL. */
export function tpmsLegacyPayload(model: VehicleModel): string {
  const { pressures: p, temperatures: t } = model.state.tyres;
  const psi = (kpa: number) => (kpa * KPA_TO_PSI).toFixed(1);
  const record = tpmsLegacyRecord.create({
    fr_p: psi(p[1]),
    fr_t: int(t[1]),
    rr_p: psi(p[3]),
    rr_t: int(t[3]),
    fl_p: psi(p[0]),
    fl_t: int(t[0]),
    rl_p: psi(p[2]),
    rl_t: int(t[2]),
    stale: '1',
  });
  return tpmsLegacyRecord.encode(record);
}
