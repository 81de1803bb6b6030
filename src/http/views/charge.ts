import { environmentFlags, environmentRecord, statusRecord } from '../../protocol/messages/index.js';
import type { StoredMessage } from '../../store/store.js';
import { copyFields, latest, ParanoidVehicleError, payloadText, timeFields, type View } from './common.js';

/** GET /api/charge: the charge-related fields of the latest S and D (SERVER-INVENTORY.md §4.3). */
export function chargeView(messages: readonly StoredMessage[], now: Date): View {
  const out: View = {};
  const s = latest(messages, 'S');
  if (s) {
    if (s.paranoid) throw new ParanoidVehicleError();
    const f = statusRecord.decode(payloadText(s)).fields;
    Object.assign(
      out,
      timeFields(s, 's', now),
      copyFields(f, {
        linevoltage: 'linevoltage',
        battvoltage: 'battvoltage',
        chargecurrent: 'chargecurrent',
        chargepower: 'chargepower',
        chargepowerinput: 'chargepowerinput',
        chargerefficiency: 'chargerefficiency',
        chargetype: 'chargetype',
        chargestate: 'chargestate',
        soc: 'soc',
        units: 'units',
        idealrange: 'idealrange',
        estimatedrange: 'estimatedrange',
        mode: 'chargemode',
        chargelimit: 'chargelimit',
        chargeduration: 'chargeduration',
        chargeb4: 'chargeb4',
        chargekwh: 'chargekwh',
        chargesubstate: 'chargesubstate',
        chargetimermode: 'chargetimer',
        chargestarttime: 'chargestarttime',
        chargetimerstale: 'chargetimerstale',
        cac100: 'cac100',
        soh: 'soh',
        charge_etr_full: 'etr_full',
        charge_etr_limit: 'etr_limit',
        charge_limit_range: 'limit_range',
        charge_limit_soc: 'limit_soc',
        cooldown_active: 'cooldown_active',
        cooldown_tbattery: 'cooldown_tbattery',
        cooldown_timelimit: 'cooldown_timelimit',
        charge_estimate: 'charge_estimate',
        charge_etr_range: 'etr_range',
        charge_etr_soc: 'etr_soc',
        idealrange_max: 'idealrange_max',
        batt_current: 'battcurrent',
        batt_range_speed: 'battrangespeed',
        charge_kwh_grid: 'chargekwhgrid',
        charge_kwh_grid_total: 'chargekwhgridtotal',
        batt_capacity: 'batt_capacity',
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
        cp_dooropen: flags.cp_dooropen,
        pilotpresent: flags.pilotpresent,
        charging: flags.charging,
        caron: flags.caron,
        carawake: flags.carawake,
        charging_12v: flags.charging_12v,
      },
      copyFields(record.fields, {
        temperature_pem: 'tpem',
        temperature_motor: 'tmotor',
        temperature_battery: 'tbattery',
        temperature_charger: 'tcharger',
        temperature_ambient: 'ambient',
        temperature_cabin: 'tcabin',
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
