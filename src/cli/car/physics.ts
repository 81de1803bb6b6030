import type { Random } from './random.js';
import type { Route } from './route.js';
import { CAR, type CarState } from './vehicle-state.js';

/**
 * One time step of the physical car: how the "driver" drives the route and what that costs the
 * battery, and how temperatures, the 12 V battery and the tyres follow. Plain functions over the
 * state, so the model only decides phases and events.
 */

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** First-order lag towards `target` with time constant `tau` seconds. */
const approach = (value: number, target: number, tau: number, dt: number) =>
  value + (target - value) * (1 - Math.exp(-dt / tau));

/** Drives `dt` seconds along `route`; returns true once the car has stopped at its end. */
export function stepDriving(s: CarState, route: Route, random: Random, dt: number): boolean {
  const here = route.at(s.routeKm);
  let target = 0;
  if (s.stopSeconds > 0) {
    s.stopSeconds -= dt;
  } else {
    if (s.cruiseKph === 0 || random.chance(dt / 40)) s.cruiseKph = here.limit * random.between(0.82, 1.03);
    // Red lights and junctions only in town.
    if (here.limit <= 50 && s.speedKph > 20 && random.chance(dt / 200))
      s.stopSeconds = random.between(12, 45);
    // Slow down towards the destination instead of stopping dead at it.
    target = Math.min(s.cruiseKph, CAR.topSpeedKph, 6 + (route.lengthKm - s.routeKm) * 180);
  }
  const before = s.speedKph;
  // About 2 m/s² accelerating and 2.8 m/s² braking.
  s.speedKph = clamp(before + clamp(target - before, -10 * dt, 7 * dt), 0, CAR.topSpeedKph);

  const km = ((before + s.speedKph) / 2) * (dt / 3600);
  s.routeKm += km;
  s.tripKm += km;
  s.odometerKm += km;

  // Rolling and air resistance grow with speed; accelerating costs, braking recovers part of it.
  const v = s.speedKph;
  const cruiseKw = (CAR.baseConsumptionWhPerKm * (0.6 + 0.4 * (v / 50) ** 2) * v) / 1000;
  const accelKw = (690 * ((v - before) / 3.6 / dt) * (v / 3.6)) / 1000;
  const auxKw = 0.15 + (s.climate ? 0.9 : 0) + (s.headlights ? 0.1 : 0);
  s.powerKw = cruiseKw + (accelKw > 0 ? accelKw : accelKw * 0.55) + auxKw;
  const kwh = (s.powerKw * dt) / 3600;
  if (kwh >= 0) s.energyUsedKwh += kwh;
  else s.energyRecdKwh -= kwh;
  s.soc = clamp(s.soc - (kwh / CAR.capacityKwh) * 100, 0, 100);

  const at = route.at(s.routeKm);
  Object.assign(s, { lat: at.lat, lon: at.lon, alt: at.alt, heading: at.heading });
  return s.routeKm >= route.lengthKm && s.speedKph < 1;
}

/** Temperatures, 12 V and tyres drift towards what the car is doing; ambient and signal wander. */
export function stepThermal(s: CarState, random: Random, dt: number, charging: boolean): void {
  s.ambient = clamp(s.ambient + (random.next() - 0.5) * 0.01 * dt, 4, 26);
  const driving = s.phase === 'drive';
  const a = s.ambient;
  s.motor = approach(s.motor, driving ? a + 14 + s.speedKph * 0.35 : a, 600, dt);
  s.pem = approach(s.pem, driving ? a + 9 + s.speedKph * 0.25 : a + (charging ? 4 : 0), 400, dt);
  s.battery = approach(s.battery, a + (driving ? 8 : charging ? 10 : 1), 3600, dt);
  s.cabin = approach(s.cabin, s.climate || s.cooldownSeconds > 0 ? 21 : a + (driving ? 4 : 1), 900, dt);
  s.charger = approach(s.charger, a + (charging ? 24 : 0), 600, dt);
  // The DC/DC converter charges the 12 V battery while the car is on or charging.
  const dcdc = driving || charging;
  s.v12 = approach(s.v12, dcdc ? 13.9 : 12.55, dcdc ? 60 : 1800, dt);
  s.v12Current = dcdc ? 4.5 + (s.climate ? 1.5 : 0) : -0.3;
  s.signal = clamp(s.signal + (random.next() - 0.5) * 0.2 * dt, 12, 30);
  for (let i = 0; i < 4; i++) {
    const t = approach(s.tyres.temperatures[i]!, a + (driving ? 8 + s.speedKph * 0.1 : 0), 900, dt);
    s.tyres.temperatures[i] = t;
    // Cold pressures of 200 kPa front and 260 rear, rising with absolute temperature.
    const cold = i < 2 ? 200 : 260;
    s.tyres.pressures[i] = ((cold + 101.3) * (273.15 + t)) / (273.15 + 15) - 101.3;
  }
}
