import type { StoredMessage } from '../../src/store/store.js';

/** A v3 S message (42 fields), D, L, W and Y payloads, with every field distinct. */
export const S_PAYLOAD =
  '80.5,K,230,16.00,charging,standard,250,200,32,3600,0,125,5,1,0,0,0,0,140,60,30,300,90,-1,0,0,0,40,20,280,' +
  'type2,7.2,390.5,98,7.5,95.2,-12.3,50,12.5,1234.5,52.0,-1';
/** doors1 150 = fr door, charge port, charging, car on; doors2 8 = locked; doors3 1 = awake; doors4 2 = alarm; doors5 16 = 12 V charging. */
export const D_PAYLOAD = '150,8,0,30,35,20,12.3,45678.9,0,3600,15,1,1,1,12.6,2,12.8,16,40,1.5,21';
export const L_PAYLOAD = '51.501364,-0.141890,270,12,1,1,48,12.3,0,15.5,2.1,0.4,14.9,93,3,8,1.2,48.5,-70';
export const W_PAYLOAD = '33.1,20,33.2,21,33.3,22,33.4,23,1';
export const Y_PAYLOAD =
  '4,fl,fr,rl,rr,4,230,231,232,233,1,4,20,21,22,23,1,4,100,99,98,97,0,4,0,0,1,0,1,0,-1';

export const T0 = new Date('2024-05-01T12:00:00Z');
export const NOW = new Date('2024-05-01T12:01:30Z');

export function stored(code: string, payload: string, extra: Partial<StoredMessage> = {}): StoredMessage {
  return { code, payload: Buffer.from(payload), time: T0, paranoid: false, ptoken: '', ...extra };
}

export const STATUS_FROM_S = {
  m_msgtime_s: '2024-05-01 12:00:00',
  m_msgage_s: 90,
  soc: '80.5',
  units: 'K',
  idealrange: '250',
  idealrange_max: '280',
  estimatedrange: '200',
  mode: 'standard',
  chargestate: 'charging',
  cac100: '140',
  soh: '98',
  cooldown_active: '-1',
};

export const STATUS_FROM_D = {
  m_msgtime_d: '2024-05-01 12:00:00',
  m_msgage_d: 90,
  fl_dooropen: 0,
  fr_dooropen: 2,
  cp_dooropen: 4,
  pilotpresent: 0,
  charging: 16,
  handbrake: 0,
  caron: 128,
  carlocked: 8,
  valetmode: 0,
  bt_open: 0,
  tr_open: 0,
  carawake: 1,
  charging_12v: 16,
  alarmsounding: 2,
  temperature_pem: '30',
  temperature_motor: '35',
  temperature_battery: '20',
  temperature_charger: '40',
  temperature_cabin: '21',
  temperature_ambient: '15',
  tripmeter: '12.3',
  odometer: '45678.9',
  speed: '0',
  parkingtimer: '3600',
  staletemps: '1',
  staleambient: '1',
  vehicle12v: '12.6',
  vehicle12v_ref: '12.8',
  vehicle12v_current: '1.5',
};

export const TPMS_FROM_W = {
  m_msgtime_w: '2024-05-01 12:00:00',
  m_msgage_w: 90,
  fr_pressure: '33.1',
  fr_temperature: '20',
  rr_pressure: '33.2',
  rr_temperature: '21',
  fl_pressure: '33.3',
  fl_temperature: '22',
  rl_pressure: '33.4',
  rl_temperature: '23',
  staletpms: '1',
};
