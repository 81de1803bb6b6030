import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, call, enc, get, type HistoryRow, onUnauthorised, type View } from './api';
import { type CarState, follow, type LinkState, type Views } from './live';
import { osmLink, TrackMap } from './map';
import { fmt, isCharging, minutes, type Readings, readings } from './readings';
import { age, Card, errorText, Notice, ProtocolBadge, Stat, useTick } from './ui';

/** Track points from stored or live L payloads: `lat,lon,…` → [lat, lon], (0,0) and junk left out. */
export function trackPoint(payload: string): [number, number] | undefined {
  const [la, lo] = payload.split(',').map(Number);
  if (la === undefined || lo === undefined || !Number.isFinite(la) || !Number.isFinite(lo)) return undefined;
  if (la === 0 && lo === 0) return undefined;
  return [la, lo];
}

const EMPTY: View = {};

export function VehiclePage(props: { vehicleId: string }) {
  const id = props.vehicleId;
  const [views, setViews] = useState<(Views & { at: number }) | undefined>();
  const [car, setCar] = useState<CarState | undefined>();
  const [link, setLink] = useState<LinkState>({ kind: 'connecting' });
  const [track, setTrack] = useState<[number, number][]>([]);
  const now = useTick(1000);

  useEffect(() => {
    document.title = `${id} – OVMS`;
    get<HistoryRow[]>(`/api/historical/${enc(id)}/L`)
      .then((rows) =>
        setTrack((live) => [
          ...rows
            .map((r) => trackPoint(r.h_data))
            .filter((p): p is [number, number] => p !== undefined)
            .slice(-500),
          ...live,
        ]),
      )
      .catch(() => {});
    return follow(id, {
      onState: (s) => {
        setLink(s);
        if (s.kind === 'expired') onUnauthorised(true);
      },
      onCar: setCar,
      onViews: (v) => setViews({ ...v, at: Date.now() }),
      onMessage: (m) => {
        if (m.code !== 'L') return;
        const p = trackPoint(m.payload);
        if (p) setTrack((t) => [...t.slice(-499), p]);
      },
    });
  }, [id]);

  if (link.kind === 'forbidden') {
    document.title = 'Vehicle not found – OVMS';
    return (
      <main>
        <h1 tabIndex={-1}>Vehicle not found</h1>
        <Notice kind="error">
          There is no vehicle “{id}” in your account. <a href="#/">Back to your vehicles</a>
        </Notice>
      </main>
    );
  }

  const r = readings(
    views?.status ?? EMPTY,
    views?.charge ?? EMPTY,
    views?.location ?? EMPTY,
    views?.tpms ?? EMPTY,
  );
  const live = link.kind === 'live';
  const since = (t: number) => Math.max(0, (Math.max(now, Date.now()) - t) / 1000);
  const msgAge = Number(views?.status.m_msgage_s ?? views?.location.m_msgage_l ?? Number.NaN);
  const dataAge = views && Number.isFinite(msgAge) ? msgAge + since(views.at) : -1;
  const stale = dataAge > 15 * 60;
  const charging = r.charging ?? isCharging(r.chargeState);
  const waiting = link.kind === 'waiting' ? Math.ceil(Math.max(0, link.retryAt - now) / 1000) : 0;

  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>{id}</h1>
        <span class={car?.connected ? 'badge online' : 'badge offline'} data-testid="car-state" role="status">
          {car === undefined ? 'connecting' : car.connected ? 'car online' : 'car offline'}
        </span>
        <ProtocolBadge protocol={car?.connected ? car.protocol : ''} />
        <span class={stale ? 'badge warn' : 'badge'} data-testid="data-age">
          {dataAge < 0 ? 'no data yet' : `data ${age(dataAge)} old`}
        </span>
        <span
          class={live ? 'badge online' : 'badge offline'}
          data-testid="link-state"
          title="Live updates from the server"
        >
          {live ? 'live' : link.kind === 'waiting' ? `not live: retry in ${waiting} s` : 'connecting'}
        </span>
      </div>
      {link.kind === 'waiting' ? (
        <Notice kind="error">
          Not live: {link.why}. The values below are as of {age(Math.max(dataAge, 0))} ago; retrying in{' '}
          {waiting} s.
        </Notice>
      ) : null}
      {car && !car.connected ? (
        <Notice kind="info">
          {dataAge >= 0
            ? `The car is offline: values are as it last sent them (${age(dataAge)} ago). Commands need the car online.`
            : 'This car has not sent anything yet: once its module is set up and connects, its values show here.'}
        </Notice>
      ) : null}
      <Summary r={r} charging={charging} dataAge={dataAge} />
      <Card title="Commands" wide>
        <Commands vehicleId={id} r={r} charging={charging} online={Boolean(car?.connected)} />
      </Card>
      <div class="grid">
        <Card title="Battery">
          <dl class="stats">
            <Stat label="State of charge" value={fmt(r.soc, 1)} unit="%" testid="soc" />
            <Stat label="Ideal range" value={fmt(r.idealRange)} unit={r.units} />
            <Stat label="Estimated range" value={fmt(r.estimatedRange)} unit={r.units} />
            <Stat label="State of health" value={fmt(r.soh)} unit="%" />
            <Stat label="12 V battery" value={fmt(r.v12, 2)} unit="V" />
          </dl>
        </Card>
        <Card title="Charging">
          <dl class="stats">
            <Stat label="State" value={r.chargeState ?? '–'} testid="chargestate" />
            <Stat label="Mode" value={r.chargeMode ?? '–'} />
            <Stat label="Power" value={fmt(r.chargePowerKw, 1)} unit="kW" />
            <Stat label="Current limit" value={fmt(r.chargeLimitA)} unit="A" />
            {r.socLimit > 0 && <Stat label="SOC limit" value={fmt(r.socLimit)} unit="%" testid="soc-limit" />}
            {r.rangeLimit > 0 && <Stat label="Range limit" value={fmt(r.rangeLimit)} unit={r.units} />}
            <Stat label="Line" value={`${fmt(r.lineVoltage)} V / ${fmt(r.chargeCurrentA, 1)} A`} />
            <Stat label="Time to full" value={minutes(r.minutesToFull)} />
            <Stat
              label="Energy this charge"
              value={fmt(r.chargeEnergyKwh, 1)}
              unit="kWh"
              testid="charge-kwh"
            />
          </dl>
        </Card>
        <Card title="Doors and locks">
          <dl class="stats">
            <Stat label="Locks" value={yesNo(r.locked, 'Locked', 'Unlocked')} testid="lock-state" />
            <Stat label="Valet mode" value={yesNo(r.valet, 'On', 'Off')} testid="valet-state" />
            {r.doors.map(([label, open]) => (
              <Stat key={label} label={label} value={yesNo(open, 'Open', 'Closed')} />
            ))}
          </dl>
        </Card>
        <Card title="Driving">
          <dl class="stats">
            <Stat label="Speed" value={fmt(r.speed)} unit={`${r.units}/h`} />
            <Stat label="Power" value={fmt(r.power, 1)} unit="kW" />
            <Stat label="Odometer" value={fmt(r.odometer)} unit={r.units} testid="odometer" />
            <Stat label="Trip" value={fmt(r.trip, 1)} unit={r.units} />
          </dl>
        </Card>
        <Card title="Temperatures">
          <dl class="stats">
            {r.temperatures.map(([label, t]) => (
              <Stat key={label} label={label} value={fmt(t)} unit="°C" />
            ))}
          </dl>
        </Card>
        <Card title="Tyres">
          <ul class="tyres" aria-label="Tyre pressures">
            {r.tyres.map((w) => (
              <li key={w.wheel} class={w.alert ? 'alert' : ''}>
                <span class="muted">{w.label}</span>
                <strong>{fmt(w.kpa)} kPa</strong>
                <span>{fmt(w.celsius)} °C</span>
              </li>
            ))}
          </ul>
        </Card>
        <Card title="Location" wide>
          <TrackMap lat={r.lat} lon={r.lon} track={track} label={`${fmt(r.lat, 5)}, ${fmt(r.lon, 5)}`} />
        </Card>
      </div>
      <p class="row">
        <a class="button" href={`#/v/${enc(id)}/history`}>
          History
        </a>
        <a class="button" href={`#/v/${enc(id)}/trips`}>
          Trips
        </a>
        <a class="button" href={`#/v/${enc(id)}/charges`}>
          Charges
        </a>
      </p>
    </main>
  );
}

const yesNo = (v: boolean | undefined, yes: string, no: string) =>
  v === undefined ? 'no data yet' : v ? yes : no;

/** The phone's first screen: the few things an owner looks for. */
function Summary(props: { r: Readings; charging: boolean; dataAge: number }) {
  const { r } = props;
  return (
    <section class="summary card" aria-label="Summary">
      <div class="soc" role="img" aria-label={`State of charge ${fmt(r.soc, 1)} percent`}>
        <div class="soc-bar" style={{ width: `${Math.min(100, Math.max(0, r.soc)) || 0}%` }} />
        <span data-testid="summary-soc">{fmt(r.soc, 1)}</span>
        <span class="unit">%</span>
      </div>
      <dl class="stats summary-stats">
        <Stat label="Range" value={fmt(r.estimatedRange)} unit={r.units} />
        <Stat label="Charging" value={props.charging ? (r.chargeState ?? 'yes') : (r.chargeState ?? '–')} />
        <Stat label="Locks" value={yesNo(r.locked, 'Locked', 'Unlocked')} />
        <Stat
          label="Where"
          value={
            Number.isFinite(r.lat) && (r.lat !== 0 || r.lon !== 0) ? (
              <a href={osmLink(r.lat, r.lon)} target="_blank" rel="noopener noreferrer">
                {fmt(r.lat, 4)}, {fmt(r.lon, 4)}
              </a>
            ) : (
              '–'
            )
          }
        />
        <Stat label="Data" value={props.dataAge < 0 ? 'none yet' : `${age(props.dataAge)} old`} />
      </dl>
    </section>
  );
}

/** The car's answer to a command: the reply of a control route, or of POST /api/command. */
function answerText(reply: unknown): { ok: boolean; text: string } {
  if (typeof reply === 'string') return { ok: true, text: reply };
  const r = reply as { result?: number; lines?: { result: number; text: string }[] };
  const last = r.lines?.at(-1);
  if (r.result === undefined || r.result === 0) return { ok: true, text: 'the car confirmed' };
  return { ok: false, text: last?.text ? `the car says: ${last.text}` : `the car answered ${r.result}` };
}

const MODES = ['standard', 'storage', 'range', 'performance'];

function Commands(props: { vehicleId: string; r: Readings; charging: boolean; online: boolean }) {
  const id = enc(props.vehicleId);
  const { r } = props;
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState('');
  const [answer, setAnswer] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  // Preset from the car's own state; the owner's edits win until the car reports a new value.
  const [mode, setMode] = useState<string | undefined>();
  const [current, setCurrent] = useState<string | undefined>();
  const answerRef = useRef<HTMLDivElement>(null);
  const modeValue = mode ?? (r.chargeMode && MODES.includes(r.chargeMode) ? r.chargeMode : 'standard');
  const currentValue = current ?? (Number.isFinite(r.chargeLimitA) ? String(r.chargeLimitA) : '');

  const run = async (label: string, method: string, path: string, body?: unknown, confirmText?: string) => {
    if (confirmText && !confirm(confirmText)) return;
    setBusy(label);
    setAnswer(undefined);
    try {
      const a = answerText(await call<unknown>(method, path, body));
      setAnswer({ kind: a.ok ? 'ok' : 'error', text: `${label}: ${a.text}` });
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 0;
      const why =
        status === 409
          ? 'the car is not connected'
          : status === 504
            ? 'the car did not answer in time'
            : status === 502
              ? `the car says: ${errorText(e)}`
              : errorText(e);
      setAnswer({ kind: 'error', text: `${label} failed: ${why}` });
    } finally {
      setBusy('');
      // The answer is where the eye and the screen reader go next.
      requestAnimationFrame(() => answerRef.current?.focus());
    }
  };
  const withPin = pin ? { pin } : {};
  const b = (
    label: string,
    method: string,
    path: string,
    body?: unknown,
    opts: { primary?: boolean; confirm?: string } = {},
  ) => (
    <button
      type="button"
      class={opts.primary ? 'primary' : ''}
      disabled={busy !== '' || !props.online}
      aria-busy={busy === label}
      onClick={() => void run(label, method, path, body, opts.confirm)}
    >
      {busy === label ? `${label}…` : label}
    </button>
  );
  const currentNumber = Number(currentValue);
  // Checked once the owner typed something (an unknown limit is not an error of theirs).
  const currentError =
    current === undefined
      ? ''
      : currentValue === ''
        ? 'Enter a current in amperes'
        : !Number.isInteger(currentNumber) || currentNumber < 1 || currentNumber > 80
          ? 'The charge current is a whole number of amperes from 1 to 80'
          : '';
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
        {r.locked
          ? b('Unlock', 'DELETE', `/api/lock/${id}`, withPin, {
              primary: true,
              confirm: `Unlock ${props.vehicleId}? Its doors open to anyone nearby.`,
            })
          : b('Lock', 'PUT', `/api/lock/${id}`, withPin, { primary: true })}
        {r.valet
          ? b('Valet off', 'DELETE', `/api/valet/${id}`, withPin, {
              confirm: `Turn valet mode off on ${props.vehicleId}?`,
            })
          : b('Valet on', 'PUT', `/api/valet/${id}`, withPin)}
      </div>
      <div class="row">
        {props.charging
          ? b('Stop charging', 'DELETE', `/api/charge/${id}`)
          : b('Start charging', 'PUT', `/api/charge/${id}`)}
        <label class="inline">
          Mode
          <select value={modeValue} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
            {MODES.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        {b('Set mode', 'PUT', `/api/charge/${id}`, { mode: modeValue })}
        <label class="inline">
          Current
          <input
            type="number"
            min={1}
            max={80}
            value={currentValue}
            aria-label="Charge current limit (A)"
            aria-invalid={currentError ? 'true' : undefined}
            aria-describedby="current-help"
            onInput={(e) => setCurrent((e.target as HTMLInputElement).value)}
          />
          A
        </label>
        {currentError || currentValue === '' ? (
          <button type="button" disabled>
            Set current
          </button>
        ) : (
          b('Set current', 'PUT', `/api/charge/${id}`, { current: currentNumber })
        )}
        <span id="current-help" class={currentError ? 'field-error' : 'muted'}>
          {currentError || `The car's limit now: ${fmt(r.chargeLimitA)} A`}
        </span>
      </div>
      <div class="row">
        {b('Climate on', 'POST', `/api/command/${id}`, { command: 26, params: '1' })}
        {b('Climate off', 'POST', `/api/command/${id}`, { command: 26, params: '0' })}
        {b('Cooldown', 'POST', `/api/command/${id}`, { command: 25 })}
        {b('Wake up', 'POST', `/api/command/${id}`, { command: 18 })}
        {[0, 1, 2].map((n) =>
          b(
            `Homelink ${n + 1}`,
            'PUT',
            `/api/homelink/${id}`,
            { button: n },
            {
              confirm: `Press homelink button ${n + 1} of ${props.vehicleId}? It may open a gate or garage door.`,
            },
          ),
        )}
      </div>
      {props.online ? null : <p class="muted">The buttons wait for the car to come online.</p>}
      <div aria-live="polite" data-testid="command-answer" tabIndex={-1} ref={answerRef}>
        {answer ? <Notice kind={answer.kind}>{answer.text}</Notice> : null}
      </div>
    </div>
  );
}
