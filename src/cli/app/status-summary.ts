import {
  type EnvironmentRecord,
  environmentFlags,
  type FirmwareRecord,
  type LocationRecord,
  type Message,
  type StatusRecord,
  type TpmsRecord,
  tpmsWheels,
} from '../../protocol/messages/index.js';
import { mpDecodeForDisplay } from '../../protocol/mp-encoding.js';
import { duration, num } from './format.js';

/**
 * `ovms app status`: what an app knows after login (the stored messages the server replays, the
 * Z and T values), turned into a summary with real numbers and into readable text. Pure.
 */

export interface Snapshot {
  vehicleId: string;
  carConnected: boolean | undefined;
  ageSeconds: number | undefined;
  serverVersion: string | undefined;
  status?: StatusRecord;
  environment?: EnvironmentRecord;
  location?: LocationRecord;
  firmware?: FirmwareRecord;
  tpms?: TpmsRecord;
}

/** Folds received messages into a snapshot; later messages of a code replace earlier ones. */
export function snapshotFrom(vehicleId: string, messages: readonly Message[]): Snapshot {
  const s: Snapshot = { vehicleId, carConnected: undefined, ageSeconds: undefined, serverVersion: undefined };
  for (const m of messages) {
    if (m.kind === 'peers') s.carConnected = m.count > 0;
    else if (m.kind === 'update-age') s.ageSeconds = m.seconds;
    else if (m.kind === 'server-version') s.serverVersion = m.version;
    else if (m.kind === 'status') s.status = m;
    else if (m.kind === 'environment') s.environment = m;
    else if (m.kind === 'location') s.location = m;
    else if (m.kind === 'firmware') s.firmware = m;
    else if (m.kind === 'tpms') s.tpms = m;
  }
  return s;
}

const tenths = (text: string | undefined) => {
  const n = num(text);
  return n === undefined ? undefined : n / 10;
};
const text = (t: string | undefined) => (t === undefined || t === '' ? undefined : mpDecodeForDisplay(t));

export type StatusSummary = ReturnType<typeof summarize>;

export function summarize(s: Snapshot) {
  const st = s.status?.fields;
  const env = s.environment;
  const flags = env ? environmentFlags(env) : undefined;
  const e = env?.fields;
  const l = s.location?.fields;
  const fw = s.firmware?.fields;
  const chargeState = st?.chargestate || undefined;
  const charging = chargeState === 'charging' || chargeState === 'topoff';
  return {
    vehicleId: s.vehicleId,
    carConnected: s.carConnected,
    dataAgeSeconds: s.ageSeconds,
    units: st?.units === 'M' ? 'mi' : 'km',
    battery: st && {
      soc: num(st.soc),
      idealRange: num(st.idealrange),
      estimatedRange: num(st.estimatedrange),
      maxIdealRange: num(st.idealrange_max),
      soh: num(st.soh),
      cacAh: num(st.cac100),
      voltage: num(st.battvoltage),
      current: num(st.battcurrent),
      capacityKwh: num(st.batt_capacity),
    },
    charge: st && {
      state: chargeState,
      mode: st.chargemode || undefined,
      charging,
      pluggedIn: flags ? flags.cp_dooropen !== 0 || flags.pilotpresent !== 0 : undefined,
      lineVoltage: num(st.linevoltage),
      current: num(st.chargecurrent),
      limit: num(st.chargelimit),
      powerKw: num(st.chargepower),
      minutesToFull: charging ? num(st.etr_full) : undefined,
      energyKwh: num(st.chargekwhgrid),
      durationSeconds: num(st.chargeduration),
    },
    doors: flags && {
      locked: flags.carlocked !== 0,
      valet: flags.valetmode !== 0,
      open: Object.entries({
        'front left': flags.fl_dooropen,
        'front right': flags.fr_dooropen,
        'rear left': flags.rl_dooropen,
        'rear right': flags.rr_dooropen,
        'charge port': flags.cp_dooropen,
        bonnet: flags.bt_open,
        trunk: flags.tr_open,
      })
        .filter(([, v]) => v !== 0)
        .map(([k]) => k),
    },
    vehicle: e && {
      on: flags?.caron !== 0,
      awake: flags?.carawake !== 0,
      speed: num(e.speed),
      odometer: tenths(e.odometer),
      trip: tenths(e.trip),
      parkedSeconds: flags?.caron ? undefined : num(e.parktimer),
    },
    temperatures: e && {
      ambient: num(e.ambient),
      cabin: num(e.tcabin),
      battery: num(e.tbattery),
      motor: num(e.tmotor),
      inverter: num(e.tpem),
      charger: num(e.tcharger),
    },
    twelveVolt: e && { voltage: num(e.v12), current: num(e.v12_current) },
    location: l && {
      latitude: num(l.lat),
      longitude: num(l.lon),
      direction: num(l.direction),
      altitude: num(l.altitude),
      gpsLock: l.gpslock === '1',
      satellites: num(l.gpssats),
    },
    tpms:
      s.tpms &&
      tpmsWheels(s.tpms).map((w) => ({
        wheel: w.name,
        pressureKpa: num(w.pressure),
        temperature: num(w.temperature),
        alert: num(w.alert),
      })),
    firmware: fw && {
      version: text(fw.version),
      vin: fw.vin || undefined,
      vehicleType: fw.vehicletype || undefined,
      signal: num(fw.signal),
      provider: text(fw.provider),
      hardware: text(fw.hardware),
      modem: fw.modem || undefined,
    },
    serverVersion: s.serverVersion,
  };
}

const show = (v: number | string | undefined, suffix = '') => (v === undefined ? '?' : `${v}${suffix}`);
const deg = (v: number | undefined) => show(v, ' °C');

/** The readable form: one labelled line per topic, only for topics the server had data for. */
export function formatSummary(x: StatusSummary): string {
  const u = x.units;
  const online =
    x.carConnected === undefined ? 'car state unknown' : x.carConnected ? 'car online' : 'car offline';
  const age =
    x.dataAgeSeconds === undefined ? 'no data stored yet' : `data ${duration(x.dataAgeSeconds)} old`;
  const rows: [string, string][] = [];
  const b = x.battery;
  if (b) {
    rows.push([
      'Battery',
      `SOC ${show(b.soc, '%')}, ideal range ${show(b.idealRange, ` ${u}`)}, estimated ${show(b.estimatedRange, ` ${u}`)}, SOH ${show(b.soh, '%')}`,
    ]);
  }
  const c = x.charge;
  if (c) {
    const plug = c.pluggedIn === undefined ? '' : c.pluggedIn ? ', plugged in' : ', not plugged in';
    let line = `${c.state ?? 'idle'} (${c.mode ?? '?'})${plug}`;
    if (c.charging) {
      line += `, ${show(c.lineVoltage, ' V')} ${show(c.current, ' A')}, ${show(c.powerKw, ' kW')}, ${show(c.minutesToFull, ' min')} to full, ${show(c.energyKwh, ' kWh')} so far`;
    }
    rows.push(['Charge', line]);
  }
  if (x.doors) {
    const open = x.doors.open.length ? `open: ${x.doors.open.join(', ')}` : 'all closed';
    rows.push([
      'Doors',
      `${x.doors.locked ? 'locked' : 'unlocked'}, valet ${x.doors.valet ? 'on' : 'off'}, ${open}`,
    ]);
  }
  const v = x.vehicle;
  if (v) {
    const state = v.on ? `on, ${show(v.speed, ` ${u}/h`)}` : `off, parked ${duration(v.parkedSeconds)}`;
    rows.push([
      'Vehicle',
      `${state}, odometer ${show(v.odometer?.toFixed(1), ` ${u}`)}, trip ${show(v.trip?.toFixed(1), ` ${u}`)}`,
    ]);
  }
  const t = x.temperatures;
  if (t) {
    rows.push([
      'Temperatures',
      `ambient ${deg(t.ambient)}, cabin ${deg(t.cabin)}, battery ${deg(t.battery)}, motor ${deg(t.motor)}, inverter ${deg(t.inverter)}`,
    ]);
  }
  if (x.twelveVolt)
    rows.push([
      '12 V',
      `${show(x.twelveVolt.voltage?.toFixed(2), ' V')}, ${show(x.twelveVolt.current?.toFixed(2), ' A')}`,
    ]);
  const l = x.location;
  if (l) {
    rows.push([
      'Location',
      `${show(l.latitude)}, ${show(l.longitude)}, heading ${show(l.direction, '°')}, altitude ${show(l.altitude, ' m')}, ${l.gpsLock ? 'GPS lock' : 'no GPS lock'}`,
    ]);
  }
  if (x.tpms?.length) {
    rows.push([
      'Tyres',
      x.tpms
        .map((w) => `${w.wheel} ${show(w.pressureKpa?.toFixed(1), ' kPa')} ${deg(w.temperature)}`)
        .join(', '),
    ]);
  }
  const f = x.firmware;
  if (f) {
    rows.push(['Firmware', `${show(f.version)}, type ${show(f.vehicleType)}, VIN ${show(f.vin)}`]);
    rows.push(['Network', `${show(f.provider)}, ${show(f.modem)}, signal ${show(f.signal)}`]);
  }
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return [
    `Vehicle ${x.vehicleId}: ${online}, ${age}`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ].join('\n');
}
