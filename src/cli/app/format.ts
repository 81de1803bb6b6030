import { commandSpec } from '../../protocol/commands.js';
import { decodeMessage, environmentFlags, type Message, tpmsWheels } from '../../protocol/messages/index.js';
import { mpDecodeForDisplay } from '../../protocol/mp-encoding.js';

/**
 * Decoded messages as one readable line each (for `ovms app watch`) or as a JSON object. Pure:
 * no I/O and no clock, so every shape is unit-tested.
 */

/** Decodes a line an app received (code + payload text). */
export function decodeReceived(code: string, text: string): Message {
  return decodeMessage(code + text, 'server');
}

/** MP-encoded text on one line: CRs become " | ". */
export const oneLine = (text: string) => mpDecodeForDisplay(text).replaceAll('\n', ' | ');

/** "lock (20)" for catalogued commands, "command 204" for the others. */
export function commandLabel(code: number): string {
  const spec = commandSpec(code);
  return spec ? `${spec.name} (${code})` : `command ${code}`;
}

/** A raw numeric field as a number, or undefined when missing or not a number. */
export function num(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

const or = (value: string | number | undefined, fallback = '?') =>
  value === undefined || value === '' ? fallback : String(value);

/** Seconds as "45 s", "12 min", "3 h 05 min", "2 d 4 h". */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400)
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

const RESULT_TEXT: Record<number, string> = {
  0: 'OK',
  1: 'failed',
  2: 'not supported by the car',
  3: 'not implemented',
};

export function resultText(result: number): string {
  return RESULT_TEXT[result] ?? `result ${result}`;
}

/** One readable line per message, starting with its code. */
export function messageLine(m: Message): string {
  switch (m.kind) {
    case 'status': {
      const f = m.fields;
      const unit = f.units === 'M' ? 'mi' : 'km';
      const parts = [
        `SOC ${or(f.soc)}%`,
        `ideal range ${or(f.idealrange)} ${unit}`,
        `estimated ${or(f.estimatedrange)} ${unit}`,
        `charge ${or(f.chargestate, 'idle')} (${or(f.chargemode, '?')})`,
      ];
      if (f.chargestate === 'charging' || f.chargestate === 'topoff') {
        parts.push(
          `${or(f.linevoltage)} V ${or(f.chargecurrent)} A`,
          `${or(f.chargepower, '0')} kW`,
          `${or(f.etr_full)} min to full`,
        );
      }
      return `S status: ${parts.join(', ')}`;
    }
    case 'environment': {
      const f = m.fields;
      const flags = environmentFlags(m);
      const parts = [
        flags.carlocked ? 'locked' : 'unlocked',
        flags.valetmode ? 'valet on' : 'valet off',
        flags.caron ? `car on, ${or(f.speed)} km/h` : `car off, parked ${duration(num(f.parktimer))}`,
        `odometer ${tenths(f.odometer)} km`,
        `trip ${tenths(f.trip)} km`,
        `12V ${or(f.v12)} V`,
        `ambient ${or(f.ambient)} °C`,
        `battery ${or(f.tbattery)} °C`,
        `cabin ${or(f.tcabin)} °C`,
      ];
      if (flags.charging) parts.splice(3, 0, 'charging');
      return `D environment: ${parts.join(', ')}`;
    }
    case 'location': {
      const f = m.fields;
      return (
        `L location: ${or(f.lat)},${or(f.lon)} heading ${or(f.direction)}° altitude ${or(f.altitude)} m, ` +
        `speed ${or(f.speed, '0')} km/h, ${f.gpslock === '1' ? 'GPS lock' : 'no GPS lock'}, ${or(f.gpssats)} satellites`
      );
    }
    case 'firmware': {
      const f = m.fields;
      return (
        `F firmware: ${oneLine(or(f.version))}, VIN ${or(f.vin)}, type ${or(f.vehicletype)}, ` +
        `signal ${or(f.signal)}, network ${oneLine(or(f.provider))} (${or(f.modem)})`
      );
    }
    case 'tpms':
      return `Y tyres: ${
        tpmsWheels(m)
          .map((w) => `${w.name} ${or(w.pressure)} kPa ${or(w.temperature)} °C`)
          .join(', ') || 'no data'
      }`;
    case 'tpms-legacy': {
      const f = m.fields;
      const wheel = (name: string, p?: string, t?: string) => `${name} ${or(p)} psi ${or(t)} °C`;
      return `W tyres: ${[
        wheel('FR', f.fr_p, f.fr_t),
        wheel('RR', f.rr_p, f.rr_t),
        wheel('FL', f.fl_p, f.fl_t),
        wheel('RL', f.rl_p, f.rl_t),
      ].join(', ')}`;
    }
    case 'update-age':
      return `T data age: ${duration(m.seconds)}`;
    case 'peers':
      return `Z ${m.count > 0 ? 'car connected' : 'car not connected'}`;
    case 'server-version':
      return `f server version: ${m.version}`;
    case 'push': {
      const type =
        m.alertType === 'A'
          ? 'alert'
          : m.alertType === 'I'
            ? 'info'
            : m.alertType === 'E'
              ? 'error'
              : m.alertType;
      return `P ${type}: ${m.alertType === 'E' ? m.text : oneLine(m.text)}`;
    }
    case 'command-response': {
      const text = m.command === 7 || m.command === 41 ? oneLine(m.text) : m.text;
      return `c ${commandLabel(m.command)}: ${resultText(m.result)}${text ? `: ${text}` : ''}`;
    }
    case 'ping':
      return 'A ping';
    case 'ping-ack':
      return 'a ping reply';
    case 'invalid':
      return `${m.code} (malformed: ${m.error}) ${m.payload}`;
    case 'unknown':
      return `${m.code} ${m.payload}`;
    default:
      return `${m.code} ${JSON.stringify(messageJson(m))}`;
  }
}

function tenths(text: string | undefined): string {
  const n = num(text);
  return n === undefined ? '?' : (n / 10).toFixed(1);
}

/** The decoded message as plain JSON (D gets its flags decoded as well). */
export function messageJson(m: Message): Record<string, unknown> {
  if (m.kind === 'environment') return { ...m, flags: environmentFlags(m) };
  return { ...m };
}
