import { decodeTpms, type TpmsGroup, tpmsLegacyRecord, tpmsWheels } from '../../protocol/messages/index.js';
import type { StoredMessage } from '../../store/store.js';
import {
  copy,
  copyFields,
  latest,
  ParanoidVehicleError,
  payloadText,
  timeFields,
  type View,
} from './common.js';
import { TPMS_W_FIELDS } from './fields.js';

const KPA_TO_PSI = 0.14503773773020923;

/**
 * kPa text to psi, as the reference computes it: Perl's numeric reading of the text (leading number,
 * else 0) times the factor, printed with 15 significant digits like Perl's own number output.
 */
export function kpaToPsi(kpa: string): number {
  const match = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(kpa);
  const value = match ? Number(match[0]) : 0;
  return Number((value * KPA_TO_PSI).toPrecision(15));
}

function numeric(text: string | undefined): number {
  const n = Number(text);
  return Number.isFinite(n) ? n : 0;
}

function staleOf(group: TpmsGroup | undefined): string | null {
  return copy(group?.stale);
}

/**
 * GET /api/tpms: the v3 `Y` record when stored (per named wheel: `<name>_pressure_kpa`,
 * `<name>_pressure` in psi, `_temperature`, `_health`, `_alert`), otherwise the old four-wheel `W`.
 */
export function tpmsView(messages: readonly StoredMessage[], now: Date): View {
  const y = latest(messages, 'Y');
  if (y) {
    if (y.paranoid) throw new ParanoidVehicleError();
    const record = decodeTpms(payloadText(y));
    const out: View = { ...timeFields(y, 'y', now), ...timeFields(y, 'w', now) };
    for (const wheel of tpmsWheels(record)) {
      const name = wheel.name.toLowerCase();
      if (wheel.pressure !== undefined) {
        out[`${name}_pressure_kpa`] = wheel.pressure;
        out[`${name}_pressure`] = kpaToPsi(wheel.pressure);
      }
      if (wheel.temperature !== undefined) out[`${name}_temperature`] = wheel.temperature;
      if (wheel.health !== undefined) out[`${name}_health`] = wheel.health;
      if (wheel.alert !== undefined) out[`${name}_alert`] = wheel.alert;
    }
    const stale = [record.pressures, record.temperatures, record.health, record.alerts].map(staleOf);
    out.stale_pressure = stale[0] ?? null;
    out.stale_temperature = stale[1] ?? null;
    out.stale_health = stale[2] ?? null;
    out.stale_alert = stale[3] ?? null;
    // The compatibility flag: the highest of the four (the reference meant this, but its code died here).
    const present = stale.filter((s): s is string => s !== null);
    out.staletpms = present.length === 0 ? null : String(Math.max(...present.map(numeric)));
    return out;
  }
  const w = latest(messages, 'W');
  if (!w) return {};
  if (w.paranoid) throw new ParanoidVehicleError();
  const f = tpmsLegacyRecord.decode(payloadText(w)).fields;
  return {
    ...timeFields(w, 'w', now),
    ...copyFields(f, TPMS_W_FIELDS),
  };
}
