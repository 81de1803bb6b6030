import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  call,
  enc,
  get,
  type HistoryRow,
  stream,
  VEHICLES_WITH_PROTOCOL,
  type VehicleRow,
  type View,
} from './api';
import { TrackMap } from './map';
import { age, Card, errorText, Notice, ProtocolBadge, Stat, useTick } from './ui';

interface Views {
  status: View;
  charge: View;
  location: View;
  tpms: View;
  connected: boolean;
  protocol: VehicleRow['v_car_protocol'];
  /** When these views were read (browser clock). */
  at: number;
}

const n = (v: string | number | undefined) => (v === undefined || v === '' ? Number.NaN : Number(v));
const fmt = (v: string | number | undefined, digits = 0) => {
  const x = n(v);
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
};

/** Door and lock bits of the status view (reference values: the masked bit). */
function doors(s: View): [string, boolean][] {
  return [
    ['Front left door', Boolean(s.fl_dooropen)],
    ['Front right door', Boolean(s.fr_dooropen)],
    ['Bonnet', Boolean(s.bt_open)],
    ['Boot', Boolean(s.tr_open)],
    ['Charge port', Boolean(s.cp_dooropen)],
  ];
}

function minutes(m: string | number | undefined): string {
  const x = n(m);
  if (!Number.isFinite(x) || x <= 0) return '–';
  return x >= 60 ? `${Math.floor(x / 60)} h ${Math.round(x % 60)} min` : `${Math.round(x)} min`;
}

export function VehiclePage(props: { vehicleId: string }) {
  const id = props.vehicleId;
  const [views, setViews] = useState<Views | undefined>();
  const [error, setError] = useState('');
  const [live, setLive] = useState(false);
  const [track, setTrack] = useState<[number, number][]>([]);
  const [lastMessage, setLastMessage] = useState<number | undefined>();
  const now = useTick(1000);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const [status, charge, location, tpms, vehicles] = await Promise.all([
        get<View>(`/api/status/${enc(id)}`),
        get<View>(`/api/charge/${enc(id)}`),
        get<View>(`/api/location/${enc(id)}`),
        get<View>(`/api/tpms/${enc(id)}`),
        get<VehicleRow[]>(VEHICLES_WITH_PROTOCOL),
      ]);
      const row = vehicles.find((v) => v.id === id);
      const connected = Boolean(row?.v_net_connected);
      setViews({ status, charge, location, tpms, connected, protocol: row?.v_car_protocol, at: Date.now() });
      setError('');
    } catch (e) {
      setError(errorText(e));
    }
  }, [id]);

  useEffect(() => {
    // Count as an app of the car (it then reports more often), read the views, then follow the stream.
    call('GET', `/api/vehicle/${enc(id)}`).catch(() => {});
    void load();
    get<HistoryRow[]>(`/api/historical/${enc(id)}/L`)
      .then((rows) =>
        setTrack(
          rows
            .map((r) => r.h_data.split(',').map(Number) as [number, number])
            .filter(([la, lo]) => Number.isFinite(la) && Number.isFinite(lo) && (la !== 0 || lo !== 0))
            .slice(-500),
        ),
      )
      .catch(() => {});
    const stop = stream(
      id,
      (e) => {
        setLastMessage(Date.now());
        if (e.code === 'L') {
          const [la, lo] = e.payload.split(',').map(Number) as [number, number];
          if (Number.isFinite(la) && Number.isFinite(lo)) setTrack((t) => [...t.slice(-499), [la, lo]]);
        }
        if ('SDLWYFZ'.includes(e.code)) {
          // Several messages arrive together: read the views once they have settled.
          clearTimeout(timer.current);
          timer.current = setTimeout(() => void load(), 250);
        }
      },
      (up) => {
        setLive(up);
        if (up) void load();
      },
    );
    return () => {
      stop();
      clearTimeout(timer.current);
      call('DELETE', `/api/vehicle/${enc(id)}`).catch(() => {});
    };
  }, [id, load]);

  const s = views?.status ?? {};
  const c = views?.charge ?? {};
  const l = views?.location ?? {};
  const w = views?.tpms ?? {};
  const units = s.units === 'M' ? 'mi' : 'km';
  const msgAge = Number(s.m_msgage_s);
  const since = (t: number) => Math.max(0, (Math.max(now, Date.now()) - t) / 1000);
  const dataAge =
    views && Number.isFinite(msgAge)
      ? Math.max(0, msgAge) + since(views.at)
      : lastMessage
        ? since(lastMessage)
        : -1;
  const stale = dataAge > 15 * 60;
  const locked = Boolean(s.carlocked);
  const valet = Boolean(s.valetmode);
  const charging = Boolean(s.charging);
  const wheels: [string, string][] = [
    ['fl', 'Front left'],
    ['fr', 'Front right'],
    ['rl', 'Rear left'],
    ['rr', 'Rear right'],
  ];

  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>{id}</h1>
        <span
          class={views?.connected ? 'badge online' : 'badge offline'}
          data-testid="car-state"
          role="status"
        >
          {views === undefined ? 'loading' : views.connected ? 'car online' : 'car offline'}
        </span>
        <ProtocolBadge protocol={views?.protocol} />
        <span class={stale ? 'badge warn' : 'badge'} data-testid="data-age">
          {dataAge < 0 ? 'no data yet' : `data ${age(dataAge)} old`}
        </span>
        <span class={live ? 'badge online' : 'badge offline'} title="Live stream from the server">
          {live ? 'live' : 'reconnecting'}
        </span>
        <a class="button" href={`#/v/${enc(id)}/history`}>
          History
        </a>
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {views && !views.connected ? (
        <Notice kind="info">
          The car is offline: values are as it last sent them
          {dataAge >= 0 ? ` (${age(dataAge)} ago)` : ''}. Commands need the car online.
        </Notice>
      ) : null}
      <div class="grid">
        <Card title="Battery">
          <div class="soc" role="img" aria-label={`State of charge ${fmt(s.soc, 1)} percent`}>
            <div class="soc-bar" style={{ width: `${Math.min(100, Math.max(0, n(s.soc)) || 0)}%` }} />
            <span data-testid="soc">{fmt(s.soc, 1)}</span>
            <span class="unit">%</span>
          </div>
          <dl class="stats">
            <Stat label="Ideal range" value={fmt(s.idealrange)} unit={units} />
            <Stat label="Estimated range" value={fmt(s.estimatedrange)} unit={units} />
            <Stat label="State of health" value={fmt(s.soh)} unit="%" />
            <Stat label="12 V battery" value={fmt(s.vehicle12v, 2)} unit="V" />
          </dl>
        </Card>
        <Card title="Charging">
          <dl class="stats">
            <Stat label="State" value={String(c.chargestate ?? '–')} testid="chargestate" />
            <Stat label="Mode" value={String(c.mode ?? '–')} />
            <Stat label="Power" value={fmt(c.chargepower, 1)} unit="kW" />
            <Stat label="Current limit" value={fmt(c.chargelimit)} unit="A" />
            <Stat label="Line" value={`${fmt(c.linevoltage)} V / ${fmt(c.chargecurrent, 1)} A`} />
            <Stat label="Time to full" value={minutes(c.charge_etr_full)} />
            <Stat label="Energy this charge" value={fmt(c.chargekwh, 1)} unit="kWh" />
          </dl>
        </Card>
        <Card title="Doors and locks">
          <dl class="stats">
            <Stat label="Locks" value={locked ? 'Locked' : 'Unlocked'} testid="lock-state" />
            <Stat label="Valet mode" value={valet ? 'On' : 'Off'} testid="valet-state" />
            {doors(s).map(([label, open]) => (
              <Stat key={label} label={label} value={open ? 'Open' : 'Closed'} />
            ))}
          </dl>
        </Card>
        <Card title="Driving">
          <dl class="stats">
            <Stat label="Speed" value={fmt(l.speed)} unit={`${units}/h`} />
            <Stat label="Power" value={fmt(l.power, 1)} unit="kW" />
            <Stat label="Odometer" value={fmt(n(s.odometer) / 10)} unit={units} />
            <Stat label="Trip" value={fmt(n(s.tripmeter) / 10, 1)} unit={units} />
          </dl>
        </Card>
        <Card title="Temperatures">
          <dl class="stats">
            <Stat label="Ambient" value={fmt(s.temperature_ambient)} unit="°C" />
            <Stat label="Cabin" value={fmt(s.temperature_cabin)} unit="°C" />
            <Stat label="Battery" value={fmt(s.temperature_battery)} unit="°C" />
            <Stat label="Motor" value={fmt(s.temperature_motor)} unit="°C" />
            <Stat label="Inverter" value={fmt(s.temperature_pem)} unit="°C" />
            <Stat label="Charger" value={fmt(s.temperature_charger)} unit="°C" />
          </dl>
        </Card>
        <Card title="Tyres">
          <ul class="tyres" aria-label="Tyre pressures">
            {wheels.map(([k, label]) => (
              <li key={k} class={Number(w[`${k}_alert`]) > 0 ? 'alert' : ''}>
                <span class="muted">{label}</span>
                <strong>{fmt(w[`${k}_pressure_kpa`])} kPa</strong>
                <span>{fmt(w[`${k}_temperature`])} °C</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Location" wide>
          <TrackMap
            lat={n(l.latitude)}
            lon={n(l.longitude)}
            track={track}
            label={`${fmt(l.latitude, 5)}, ${fmt(l.longitude, 5)}`}
          />
        </Card>
        <Card title="Commands" wide>
          <Commands vehicleId={id} locked={locked} valet={valet} charging={charging} onDone={load} />
        </Card>
      </div>
    </main>
  );
}

function Commands(props: {
  vehicleId: string;
  locked: boolean;
  valet: boolean;
  charging: boolean;
  onDone: () => void;
}) {
  const id = enc(props.vehicleId);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState('');
  const [answer, setAnswer] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const [mode, setMode] = useState('standard');
  const [current, setCurrent] = useState('16');

  const run = async (label: string, method: string, path: string, body?: unknown) => {
    setBusy(label);
    setAnswer(undefined);
    try {
      const reply = await call<unknown>(method, path, body);
      const r = reply as { result?: number; lines?: string[] };
      const text =
        typeof reply === 'string'
          ? reply
          : r.result === 0
            ? 'the car confirmed'
            : r.result !== undefined
              ? `the car answered ${r.result}`
              : JSON.stringify(reply);
      setAnswer({ kind: 'ok', text: `${label}: ${text}` });
      props.onDone();
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      const why =
        status === 409
          ? 'the car is not connected'
          : status === 504
            ? 'the car did not answer in time'
            : errorText(e);
      setAnswer({ kind: 'error', text: `${label} failed: ${why}` });
    } finally {
      setBusy('');
    }
  };
  const withPin = pin ? { pin } : {};
  const b = (label: string, method: string, path: string, body?: unknown, primary = false) => (
    <button
      type="button"
      class={primary ? 'primary' : ''}
      disabled={busy !== ''}
      aria-busy={busy === label}
      onClick={() => void run(label, method, path, body)}
    >
      {busy === label ? `${label}…` : label}
    </button>
  );
  return (
    <div class="commands">
      <div class="row">
        <label class="inline">
          PIN
          <input
            type="password"
            inputMode="numeric"
            autocomplete="off"
            pattern="[0-9]*"
            size={6}
            value={pin}
            onInput={(e) => setPin((e.target as HTMLInputElement).value.replace(/\D/g, ''))}
          />
        </label>
        {props.locked
          ? b('Unlock', 'DELETE', `/api/lock/${id}`, withPin, true)
          : b('Lock', 'PUT', `/api/lock/${id}`, withPin, true)}
        {props.valet
          ? b('Valet off', 'DELETE', `/api/valet/${id}`, withPin)
          : b('Valet on', 'PUT', `/api/valet/${id}`, withPin)}
      </div>
      <div class="row">
        {props.charging
          ? b('Stop charging', 'DELETE', `/api/charge/${id}`)
          : b('Start charging', 'PUT', `/api/charge/${id}`)}
        <label class="inline">
          Mode
          <select value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
            <option value="standard">standard</option>
            <option value="storage">storage</option>
            <option value="range">range</option>
            <option value="performance">performance</option>
          </select>
        </label>
        {b('Set mode', 'PUT', `/api/charge/${id}`, { mode })}
        <label class="inline">
          Current
          <input
            type="number"
            min={1}
            max={80}
            value={current}
            onInput={(e) => setCurrent((e.target as HTMLInputElement).value)}
          />
          A
        </label>
        {b('Set current', 'PUT', `/api/charge/${id}`, { current: Number(current) })}
      </div>
      <div class="row">
        {b('Cooldown', 'POST', `/api/command/${id}`, { command: 25 })}
        {b('Wake up', 'POST', `/api/command/${id}`, { command: 18 })}
        {b('Homelink 1', 'PUT', `/api/homelink/${id}`, { button: 0 })}
        {b('Homelink 2', 'PUT', `/api/homelink/${id}`, { button: 1 })}
        {b('Homelink 3', 'PUT', `/api/homelink/${id}`, { button: 2 })}
      </div>
      <div aria-live="polite" data-testid="command-answer">
        {answer ? <Notice kind={answer.kind}>{answer.text}</Notice> : null}
      </div>
    </div>
  );
}
