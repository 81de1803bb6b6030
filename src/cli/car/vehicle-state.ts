/**
 * The state of the simulated car and the fixed facts about it. The numbers describe a small
 * two-seat city EV (vehicle type `RT`, a Renault Twizy): 6.1 kWh usable, about 100 km ideal range,
 * 80 km/h top speed, a 2.1 kW on-board charger on 230 V.
 */

export type Phase = 'drive' | 'charge' | 'park';

/** v3 charge state texts (S field 5) and the numbers it sends with them (field 14). */
export type ChargeState = 'prepare' | 'charging' | 'topoff' | 'done' | 'stopped';
export const CHARGE_STATE_NUMBER: Record<ChargeState, number> = {
  charging: 1,
  topoff: 2,
  done: 4,
  prepare: 13,
  stopped: 21,
};

/** Charge modes by the number command 10 takes (and S field 15 reports). */
export const CHARGE_MODES: Record<number, string> = {
  0: 'standard',
  1: 'storage',
  3: 'range',
  4: 'performance',
};

export const CAR = {
  capacityKwh: 6.1,
  idealRangeMaxKm: 100,
  cacAh: 108,
  sohPercent: 97,
  nominalVoltage: 57.6,
  lineVoltage: 230,
  maxChargeAmps: 10,
  chargerEfficiency: 0.91,
  /** Energy a fixed share of the battery takes at cruising speed, Wh/km. */
  baseConsumptionWhPerKm: 62,
  topSpeedKph: 80,
} as const;

export interface Tyres {
  /** Pressures in kPa, in the Y order FL, FR, RL, RR. */
  pressures: [number, number, number, number];
  /** Temperatures in °C, same order. */
  temperatures: [number, number, number, number];
}

export interface CarState {
  phase: Phase;
  /** Simulated seconds spent in the current phase. */
  phaseSeconds: number;
  /** Simulated seconds the current phase should last (park and the after-charge wait). */
  phaseTarget: number;
  soc: number;
  odometerKm: number;
  tripKm: number;
  speedKph: number;
  /** Target speed the "driver" is aiming for; changes every so often. */
  cruiseKph: number;
  /** Seconds left standing at a red light, if any. */
  stopSeconds: number;
  routeKm: number;
  /** 0 = out along the route, 1 = back home. */
  routeDirection: 0 | 1;
  lat: number;
  lon: number;
  alt: number;
  heading: number;
  /** Battery power in kW, positive while drawing. */
  powerKw: number;
  energyUsedKwh: number;
  energyRecdKwh: number;
  tripStart: { timeMs: number; soc: number; lat: number; lon: number };
  // Charging
  plugged: boolean;
  chargeState: ChargeState | undefined;
  chargeMode: number;
  chargeLimitAmps: number;
  chargeAmps: number;
  chargeSeconds: number;
  chargeKwh: number;
  gridKwhTotal: number;
  lastChargeEndMs: number | undefined;
  timerMode: 0 | 1;
  timerStart: number;
  /** SOC at which charging ends (S field 23), 0 = none. */
  socLimit: number;
  // Body
  locked: boolean;
  valet: boolean;
  headlights: boolean;
  climate: boolean;
  /** Simulated seconds of cooldown left (command 25). */
  cooldownSeconds: number;
  /** Simulated seconds the car stays awake after a wake-up or activity. */
  awakeSeconds: number;
  parkSeconds: number;
  // Temperatures, °C
  ambient: number;
  battery: number;
  motor: number;
  pem: number;
  cabin: number;
  charger: number;
  v12: number;
  v12Current: number;
  tyres: Tyres;
  /** Network signal in SQ units (F field 3). */
  signal: number;
}

export function initialState(phase: Phase, startMs: number): CarState {
  const home = { lat: 52.090737, lon: 5.121419 };
  return {
    phase,
    phaseSeconds: 0,
    phaseTarget: 3600,
    soc: phase === 'charge' ? 38.5 : 84.5,
    odometerKm: 12_843.2,
    tripKm: 0,
    speedKph: 0,
    cruiseKph: 0,
    stopSeconds: 0,
    routeKm: 0,
    routeDirection: 0,
    ...home,
    alt: 5,
    heading: 245,
    powerKw: 0,
    energyUsedKwh: 0,
    energyRecdKwh: 0,
    tripStart: { timeMs: startMs, soc: 84.5, ...home },
    plugged: phase === 'charge',
    chargeState: undefined,
    chargeMode: 0,
    chargeLimitAmps: CAR.maxChargeAmps,
    chargeAmps: 0,
    chargeSeconds: 0,
    chargeKwh: 0,
    gridKwhTotal: 4_127.6,
    lastChargeEndMs: undefined,
    timerMode: 0,
    timerStart: 0,
    socLimit: 0,
    locked: false,
    valet: false,
    headlights: false,
    climate: false,
    cooldownSeconds: 0,
    awakeSeconds: 0,
    parkSeconds: phase === 'park' ? 1800 : 0,
    ambient: 14.5,
    battery: 16,
    motor: 15,
    pem: 15,
    cabin: 15,
    charger: 15,
    v12: 12.6,
    v12Current: -0.3,
    tyres: { pressures: [200, 200, 260, 260], temperatures: [15, 15, 15, 15] },
    signal: 22,
  };
}
