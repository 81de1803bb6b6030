/** An /api view as JSON (the same as api.ts's; kept here so this module has no imports). */
type View = Record<string, string | number | null>;

/**
 * What the vehicle page shows, from the /api views (the stream's `views`), in display units
 * (WIRE.md §3.2): S field 12 `chargekwh` is in tenths of a kWh, D odometer and trip in tenths of the
 * distance unit, W pressures in psi (Y in kPa). A value the car never sent is undefined ("–" on the
 * page), never a made-up default. Pure: no DOM.
 */

export const num = (v: string | number | null | undefined): number =>
  v === undefined || v === null || v === '' ? Number.NaN : Number(v);

export const fmt = (v: number, digits = 0): string => (Number.isFinite(v) ? v.toFixed(digits) : '–');

const PSI_TO_KPA = 6.894757;

export interface Readings {
  units: 'km' | 'mi';
  soc: number;
  idealRange: number;
  estimatedRange: number;
  soh: number;
  v12: number;
  chargeState: string | undefined;
  chargeMode: string | undefined;
  chargePowerKw: number;
  chargeLimitA: number;
  lineVoltage: number;
  chargeCurrentA: number;
  minutesToFull: number;
  /** Energy into the battery this charge, kWh (S field 12 / 10). */
  chargeEnergyKwh: number;
  socLimit: number;
  rangeLimit: number;
  /** Door and lock state: undefined until the car sent a D. */
  locked: boolean | undefined;
  valet: boolean | undefined;
  charging: boolean | undefined;
  doors: [string, boolean | undefined][];
  odometer: number;
  trip: number;
  speed: number;
  power: number;
  temperatures: [string, number][];
  tyres: { wheel: string; label: string; kpa: number; celsius: number; alert: boolean }[];
  lat: number;
  lon: number;
}

const flag = (v: View, key: string, has: boolean): boolean | undefined => (has ? num(v[key]) > 0 : undefined);

export function readings(status: View, charge: View, location: View, tpms: View): Readings {
  const s = status;
  const c = charge;
  const hasD = s.m_msgtime_d !== undefined;
  const wheels: [string, string][] = [
    ['fl', 'Front left'],
    ['fr', 'Front right'],
    ['rl', 'Rear left'],
    ['rr', 'Rear right'],
  ];
  return {
    units: s.units === 'M' ? 'mi' : 'km',
    soc: num(s.soc),
    idealRange: num(s.idealrange),
    estimatedRange: num(s.estimatedrange),
    soh: num(s.soh),
    v12: num(s.vehicle12v),
    chargeState: c.chargestate === undefined || c.chargestate === null ? undefined : String(c.chargestate),
    chargeMode: c.mode === undefined || c.mode === null ? undefined : String(c.mode),
    chargePowerKw: num(c.chargepower),
    chargeLimitA: num(c.chargelimit),
    lineVoltage: num(c.linevoltage),
    chargeCurrentA: num(c.chargecurrent),
    minutesToFull: num(c.charge_etr_full),
    chargeEnergyKwh: num(c.chargekwh) / 10,
    socLimit: num(c.charge_limit_soc),
    rangeLimit: num(c.charge_limit_range),
    locked: flag(s, 'carlocked', hasD),
    valet: flag(s, 'valetmode', hasD),
    charging: flag(s, 'charging', hasD),
    doors: [
      ['Front left door', flag(s, 'fl_dooropen', hasD)],
      ['Front right door', flag(s, 'fr_dooropen', hasD)],
      ['Bonnet', flag(s, 'bt_open', hasD)],
      ['Boot', flag(s, 'tr_open', hasD)],
      ['Charge port', flag(s, 'cp_dooropen', hasD)],
    ],
    odometer: num(s.odometer) / 10,
    trip: num(s.tripmeter) / 10,
    speed: num(location.speed),
    power: num(location.power),
    temperatures: [
      ['Ambient', num(s.temperature_ambient)],
      ['Cabin', num(s.temperature_cabin)],
      ['Battery', num(s.temperature_battery)],
      ['Motor', num(s.temperature_motor)],
      ['Inverter', num(s.temperature_pem)],
      ['Charger', num(s.temperature_charger)],
    ],
    tyres: wheels.map(([wheel, label]) => ({
      wheel,
      label,
      kpa:
        tpms[`${wheel}_pressure_kpa`] !== undefined
          ? num(tpms[`${wheel}_pressure_kpa`])
          : num(tpms[`${wheel}_pressure`]) * PSI_TO_KPA,
      celsius: num(tpms[`${wheel}_temperature`]),
      alert: num(tpms[`${wheel}_alert`]) > 0,
    })),
    lat: num(location.latitude),
    lon: num(location.longitude),
  };
}

/** "1 h 5 min", "40 min"; "–" when unknown or zero. */
export function minutes(m: number): string {
  if (!Number.isFinite(m) || m <= 0) return '–';
  return m >= 60 ? `${Math.floor(m / 60)} h ${Math.round(m % 60)} min` : `${Math.round(m)} min`;
}

/** Whether the car is charging by its state text (the D charging bit may lag). */
export function isCharging(state: string | undefined): boolean {
  return state === 'charging' || state === 'topoff' || state === 'heating' || state === 'prepare';
}
