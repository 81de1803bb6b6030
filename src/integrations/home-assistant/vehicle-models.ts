/**
 * Readable names for the vehicle type codes modules report (`v.type`, the v2 `F` message's field 5)
 * for the most common cars; other codes are shown as they are.
 */
const MODELS: Readonly<Record<string, string>> = {
  DEMO: 'Demonstration vehicle',
  NL: 'Nissan Leaf / e-NV200',
  RT: 'Renault Twizy',
  RZ: 'Renault Zoe / Kangoo',
  TR: 'Tesla Roadster',
  TS: 'Tesla Model S',
  KS: 'Kia Soul EV',
  KN: 'Kia Niro / Hyundai Kona EV',
  VWUP: 'VW e-Up',
  SE: 'Smart ED / EQ',
  MI: 'Mitsubishi i-MiEV / Citroën C-Zero / Peugeot iOn',
  BMWI3: 'BMW i3',
};

export function vehicleModel(type: string | undefined): string {
  if (!type) return 'OVMS vehicle';
  const name = MODELS[type];
  return name ? `${name} (${type})` : `Vehicle type ${type}`;
}
