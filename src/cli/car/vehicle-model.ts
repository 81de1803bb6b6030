import { gridLogData, LOG_LIFETIME, tripLogData } from './log-records.js';
import { clamp, stepDriving, stepThermal } from './physics.js';
import { type Random, seededRandom } from './random.js';
import { COMMUTE, Route } from './route.js';
import { CAR, type CarState, CHARGE_MODES, initialState, type Phase } from './vehicle-state.js';

/**
 * The simulated car: a pure, time-stepped model. Nothing here touches the network or the real
 * clock; the simulator calls `advance(seconds)` and reads `state`. The same seed, start time and
 * steps always give the same values, so tests can assert them.
 *
 * The car cycles park → drive → charge (when the battery is low enough) → park, driving the
 * commute out and back. Things the outside world should hear about (notifications, historical
 * records, state changes worth an immediate status message) are queued as events.
 */

export type ModelEvent =
  /** `subtype` is the firmware's notification subtype (v3 `notify/<type>/<subtype path>`). */
  | { kind: 'push'; alertType: 'A' | 'I'; subtype: string; text: string }
  | { kind: 'history'; type: string; recno: number; lifetime: number; data: string }
  | { kind: 'changed' };

export interface VehicleModelOptions {
  seed?: number;
  scenario?: Phase;
  /** Simulated wall-clock time at the start, epoch ms. */
  startMs?: number;
}

/** Charging starts below this SOC after a drive; above it the car just parks. */
const CHARGE_BELOW_SOC = 80;
/** A charge waits this long in "prepare" before current flows, simulated seconds. */
const PREPARE_SECONDS = 30;

export class VehicleModel {
  readonly state: CarState;
  private readonly random: Random;
  private readonly routes: [Route, Route];
  private events: ModelEvent[] = [];
  private now: number;
  private tripRecno = 0;

  constructor(options: VehicleModelOptions = {}) {
    this.now = options.startMs ?? Date.UTC(2026, 8, 1, 7, 30);
    this.random = seededRandom(options.seed ?? 1);
    const outbound = new Route(COMMUTE);
    this.routes = [outbound, outbound.reversed()];
    this.state = initialState(options.scenario ?? 'park', this.now);
    // Like a v3 module, the car remembers how its last charge ended.
    if (this.state.phase === 'charge') this.startCharging();
    else this.state.chargeState = 'done';
    if (this.state.phase === 'drive') this.startDrive();
    this.events = [];
  }

  /** Simulated time, epoch ms. */
  get timeMs(): number {
    return this.now;
  }

  get charging(): boolean {
    const c = this.state.chargeState;
    return this.state.plugged && (c === 'charging' || c === 'topoff');
  }

  /** Charge power drawn from the grid, kW (0 when not charging). */
  get chargePowerInputKw(): number {
    return this.charging ? (CAR.lineVoltage * this.state.chargeAmps) / 1000 : 0;
  }

  /** Charge power delivered to the battery, kW. */
  get chargePowerKw(): number {
    return this.chargePowerInputKw * CAR.chargerEfficiency;
  }

  get awake(): boolean {
    return this.state.phase === 'drive' || this.charging || this.state.awakeSeconds > 0;
  }

  /** SOC at which the current charge ends: the SOC limit, 60% in storage mode, else full. */
  get targetSoc(): number {
    if (this.state.socLimit > 0) return this.state.socLimit;
    return this.state.chargeMode === 1 ? 60 : 100;
  }

  /** Minutes until the charge is done, 0 when not charging. */
  get minutesToFull(): number {
    return this.charging ? this.minutesToFullAt(this.state.chargeAmps) : 0;
  }

  get idealRangeKm(): number {
    return (this.state.soc / 100) * CAR.idealRangeMaxKm * (CAR.sohPercent / 100);
  }

  /** Estimated range: less than ideal, and less again in the cold. */
  get estimatedRangeKm(): number {
    return this.idealRangeKm * clamp(0.8 + (this.state.ambient - 10) * 0.006, 0.6, 0.95);
  }

  takeEvents(): ModelEvent[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }

  /** Moves simulated time forward, in steps of at most one second. */
  advance(seconds: number): void {
    let left = seconds;
    while (left > 1e-9) {
      const dt = Math.min(1, left);
      this.step(dt);
      left -= dt;
    }
  }

  private set(patch: Partial<CarState>): void {
    Object.assign(this.state, patch);
  }

  private step(dt: number): void {
    const s = this.state;
    this.now += dt * 1000;
    s.phaseSeconds += dt;
    if (s.phase === 'drive') {
      if (stepDriving(s, this.routes[s.routeDirection], this.random, dt)) this.endDrive();
    } else if (s.phase === 'charge') {
      this.stepCharge(dt);
    } else if (s.phaseSeconds >= s.phaseTarget) {
      this.startDrive();
    }
    if (s.phase !== 'drive') s.parkSeconds += dt;
    s.awakeSeconds = Math.max(0, s.awakeSeconds - dt);
    s.cooldownSeconds = Math.max(0, s.cooldownSeconds - dt);
    stepThermal(s, this.random, dt, this.charging);
  }

  private stepCharge(dt: number): void {
    const s = this.state;
    if (s.chargeState === 'prepare' && s.phaseSeconds >= PREPARE_SECONDS) {
      s.chargeState = 'charging';
      this.chargeStarted();
    }
    if (this.charging) {
      // The top-off tapers the current over the last few percent.
      const taper = s.chargeState === 'topoff' ? clamp((100 - s.soc) / 5, 0.2, 1) : 1;
      s.chargeAmps = s.chargeLimitAmps * taper;
      const outKw = this.chargePowerKw;
      s.soc = clamp(s.soc + ((outKw * dt) / 3600 / CAR.capacityKwh) * 100, 0, 100);
      const gridKwh = (this.chargePowerInputKw * dt) / 3600;
      s.chargeKwh += gridKwh;
      s.gridKwhTotal += gridKwh;
      s.chargeSeconds += dt;
      s.powerKw = -outKw;
      if (s.chargeState === 'charging' && s.soc >= Math.min(95, this.targetSoc)) s.chargeState = 'topoff';
      if (s.soc >= this.targetSoc) this.finishCharge();
    } else if (s.chargeState !== 'prepare' && s.phaseSeconds >= s.phaseTarget) {
      // Done or stopped: the driver unplugs a while later.
      s.plugged = false;
      this.startPark();
    }
  }

  private startDrive(): void {
    const s = this.state;
    this.set({
      phase: 'drive',
      phaseSeconds: 0,
      plugged: false,
      tripKm: 0,
      routeKm: 0,
      energyUsedKwh: 0,
      energyRecdKwh: 0,
      parkSeconds: 0,
      cruiseKph: 0,
      stopSeconds: 0,
      headlights: this.dark(),
      tripStart: { timeMs: this.now, soc: s.soc, lat: s.lat, lon: s.lon },
    });
    this.events.push({ kind: 'changed' });
  }

  private endDrive(): void {
    const s = this.state;
    this.history('*-LOG-Trip', this.tripRecno++, tripLogData(s, this.now));
    this.set({ speedKph: 0, powerKw: 0, headlights: false, routeDirection: s.routeDirection === 0 ? 1 : 0 });
    if (s.soc < CHARGE_BELOW_SOC) this.startCharging();
    else this.startPark();
    this.events.push({ kind: 'changed' });
  }

  private startPark(): void {
    this.set({ phase: 'park', phaseSeconds: 0, chargeAmps: 0, powerKw: 0 });
    this.state.phaseTarget = this.random.between(45, 90) * 60;
    this.events.push({ kind: 'changed' });
  }

  private startCharging(): void {
    this.set({
      phase: 'charge',
      phaseSeconds: 0,
      plugged: true,
      chargeState: 'prepare',
      chargeSeconds: 0,
      chargeKwh: 0,
      chargeAmps: 0,
    });
  }

  private finishCharge(): void {
    const s = this.state;
    this.set({ chargeState: 'done', chargeAmps: 0, powerKw: 0, lastChargeEndMs: this.now });
    s.phaseTarget = s.phaseSeconds + 15 * 60;
    this.gridLog();
    this.push(
      'I',
      'charge.done',
      `Charging done\nSOC: ${s.soc.toFixed(1)}%\nRange: ${Math.round(this.idealRangeKm)} km\nEnergy: ${s.chargeKwh.toFixed(2)} kWh`,
    );
  }

  private chargeStarted(): void {
    const s = this.state;
    const mode = CHARGE_MODES[s.chargeMode] ?? 'standard';
    this.gridLog();
    this.push(
      'I',
      'charge.started',
      `Vehicle is now charging (${mode}, ${s.chargeLimitAmps} A)\nSOC: ${s.soc.toFixed(1)}%\nFull in ${this.minutesToFullAt(s.chargeLimitAmps)} min`,
    );
  }

  private minutesToFullAt(amps: number): number {
    const kw = ((CAR.lineVoltage * amps) / 1000) * CAR.chargerEfficiency;
    const kwh = (Math.max(0, this.targetSoc - this.state.soc) / 100) * CAR.capacityKwh;
    // The tapered top-off takes longer than a straight line would suggest.
    return kw > 0 ? Math.ceil((kwh / kw) * 60 * 1.1) : 0;
  }

  private gridLog(): void {
    this.history('*-LOG-Grid', 0, gridLogData(this.state, this.now));
  }

  private history(type: string, recno: number, data: string): void {
    this.events.push({ kind: 'history', type, recno, lifetime: LOG_LIFETIME, data });
  }

  private push(alertType: 'A' | 'I', subtype: string, text: string): void {
    this.events.push({ kind: 'push', alertType, subtype, text });
    this.events.push({ kind: 'changed' });
  }

  private dark(): boolean {
    const hour = new Date(this.now).getUTCHours();
    return hour >= 17 || hour < 6;
  }

  // Commands (the PIN is checked by the caller; these only change the car).

  startCharge(): boolean {
    const s = this.state;
    if (!s.plugged) return false;
    if (this.charging || s.chargeState === 'prepare') return true;
    // Plugged in means the charge phase; restarting a stopped or finished charge stays in it.
    this.set({ phase: 'charge', chargeState: 'charging' });
    this.chargeStarted();
    return true;
  }

  stopCharge(): boolean {
    const s = this.state;
    if (!this.charging && s.chargeState !== 'prepare') return false;
    this.set({ chargeState: 'stopped', chargeAmps: 0, powerKw: 0, lastChargeEndMs: this.now });
    s.phaseTarget = s.phaseSeconds + 30 * 60;
    this.gridLog();
    this.push('A', 'charge.stopped', `Charging stopped\nSOC: ${s.soc.toFixed(1)}%`);
    return true;
  }

  setChargeMode(mode: number): boolean {
    if (CHARGE_MODES[mode] === undefined) return false;
    this.state.chargeMode = mode;
    return true;
  }

  setChargeCurrent(amps: number): boolean {
    if (!Number.isInteger(amps) || amps < 1 || amps > 32) return false;
    // The on-board charger cannot draw more than its own maximum, whatever is asked for.
    this.state.chargeLimitAmps = Math.min(amps, CAR.maxChargeAmps);
    return true;
  }

  setChargeTimer(mode: number, start: number): boolean {
    if ((mode !== 0 && mode !== 1) || !Number.isInteger(start) || start < 0 || start > 1439) return false;
    this.set({ timerMode: mode === 1 ? 1 : 0, timerStart: start });
    return true;
  }

  setLocked(locked: boolean): void {
    this.state.locked = locked;
  }

  setValet(valet: boolean): void {
    this.state.valet = valet;
  }

  setClimate(on: boolean): void {
    this.state.climate = on;
    this.wake();
  }

  cooldown(): void {
    this.state.cooldownSeconds = 15 * 60;
    this.wake();
  }

  wake(): void {
    this.state.awakeSeconds = Math.max(this.state.awakeSeconds, 10 * 60);
  }
}
