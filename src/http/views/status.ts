import { environmentFlags, environmentRecord, statusRecord } from '../../protocol/messages/index.js';
import type { StoredMessage } from '../../store/store.js';
import { copyFields, latest, ParanoidVehicleError, payloadText, timeFields, type View } from './common.js';

/**
 * GET /api/status: the reference's view of the latest S and D messages (SERVER-INVENTORY.md §4.3).
 * A paranoid S refuses the whole view; a paranoid D is left out.
 */
export function statusView(messages: readonly StoredMessage[], now: Date): View {
  const out: View = {};
  const s = latest(messages, 'S');
  if (s) {
    if (s.paranoid) throw new ParanoidVehicleError();
    const f = statusRecord.decode(payloadText(s)).fields;
    Object.assign(
      out,
      timeFields(s, 's', now),
      copyFields(f, {
        soc: 'soc',
        units: 'units',
        idealrange: 'idealrange',
        idealrange_max: 'idealrange_max',
        estimatedrange: 'estimatedrange',
        mode: 'chargemode',
        chargestate: 'chargestate',
        cac100: 'cac100',
        soh: 'soh',
        cooldown_active: 'cooldown_active',
      }),
    );
  }
  const d = latest(messages, 'D');
  if (d && !d.paranoid) {
    const record = environmentRecord.decode(payloadText(d));
    const flags = environmentFlags(record);
    Object.assign(
      out,
      timeFields(d, 'd', now),
      {
        fl_dooropen: flags.fl_dooropen,
        fr_dooropen: flags.fr_dooropen,
        cp_dooropen: flags.cp_dooropen,
        pilotpresent: flags.pilotpresent,
        charging: flags.charging,
        handbrake: flags.handbrake,
        caron: flags.caron,
        carlocked: flags.carlocked,
        valetmode: flags.valetmode,
        bt_open: flags.bt_open,
        tr_open: flags.tr_open,
        carawake: flags.carawake,
        charging_12v: flags.charging_12v,
        alarmsounding: flags.alarmsounding,
      },
      copyFields(record.fields, {
        temperature_pem: 'tpem',
        temperature_motor: 'tmotor',
        temperature_battery: 'tbattery',
        temperature_charger: 'tcharger',
        temperature_cabin: 'tcabin',
        temperature_ambient: 'ambient',
        tripmeter: 'trip',
        odometer: 'odometer',
        speed: 'speed',
        parkingtimer: 'parktimer',
        staletemps: 'staletemps',
        staleambient: 'staleambient',
        vehicle12v: 'v12',
        vehicle12v_ref: 'v12_ref',
        vehicle12v_current: 'v12_current',
      }),
    );
  }
  return out;
}
