import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { AccountPage } from './account';
import { AddVehiclePage } from './add';
import { AdminPage } from './admin';
import {
  type Account,
  ApiError,
  enc,
  get,
  login,
  logout,
  setOnUnauthorised,
  VEHICLES_WITH_PROTOCOL,
  type VehicleRow,
  type View,
} from './api';
import { ChargesPage } from './charges';
import { fmt, readings } from './readings';
import { RecordingHistoryPage } from './recording-history';
import './style.css';
import { TripsPage } from './trips';
import { age, errorText, Notice, ProtocolBadge, useTick } from './ui';
import { VehiclePage } from './vehicle';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const f = () => setHash(location.hash);
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return hash;
}

type Theme = 'auto' | 'light' | 'dark';
function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>((localStorage.getItem('ovms-theme') as Theme) ?? 'auto');
  useEffect(() => {
    if (theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    localStorage.setItem('ovms-theme', theme);
  }, [theme]);
  const next = () => setTheme(theme === 'auto' ? 'dark' : theme === 'dark' ? 'light' : 'auto');
  return [theme, next];
}

function Login(props: { onLogin: () => void; expired: boolean }) {
  useEffect(() => {
    document.title = 'Log in – OVMS';
  }, []);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError('');
    try {
      await login(String(form.get('username')), String(form.get('password')), form.get('remember') === 'on');
      props.onLogin();
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 401 ? 'Wrong user name or password' : errorText(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">OVMS dashboard</h1>
        {props.expired ? (
          <Notice kind="info">Your session has ended: log in again to carry on where you were.</Notice>
        ) : null}
        <label>
          User name
          <input name="username" autocomplete="username" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <label class="check">
          <input name="remember" type="checkbox" /> Keep me logged in on this device
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Log in
        </button>
        {error ? <Notice kind="error">{error}</Notice> : null}
      </form>
    </main>
  );
}

interface ListRow extends VehicleRow {
  age: number;
  status?: View;
}

/** The owner's cars, refreshed every 20 s (one request per car and two for the list: within the rate limit). */
function VehicleList() {
  const [rows, setRows] = useState<ListRow[] | undefined>();
  const [loadedAt, setLoadedAt] = useState(Date.now());
  const [error, setError] = useState('');
  const now = useTick(5000);
  useEffect(() => {
    document.title = 'Your vehicles – OVMS';
    let stopped = false;
    const load = async () => {
      try {
        const [list, account] = await Promise.all([
          get<VehicleRow[]>(VEHICLES_WITH_PROTOCOL),
          get<Account>('/api/account'),
        ]);
        const ages = new Map(account.vehicles.map((v) => [v.id, v.age_s]));
        const statuses = await Promise.all(
          list.map((v) => get<View>(`/api/status/${enc(v.id)}`).catch(() => undefined)),
        );
        if (stopped) return;
        setRows(
          list.map((v, i) => {
            // The age of the last S when there is one, else of the car's last message (-1: never).
            const statusAge = Number(statuses[i]?.m_msgage_s);
            const age = Number.isFinite(statusAge) ? statusAge : (ages.get(v.id) ?? -1);
            return { ...v, age, status: statuses[i] };
          }),
        );
        setLoadedAt(Date.now());
        setError('');
      } catch (e) {
        if (!stopped) setError(errorText(e));
      }
    };
    void load();
    const timer = setInterval(() => void load(), 20_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  return (
    <main>
      <h1 tabIndex={-1}>Your vehicles</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {rows?.length === 0 ? (
        <Notice kind="info">
          No vehicles yet. <a href="#/add">Add a vehicle</a> to connect your car's module.
        </Notice>
      ) : null}
      <ul class="vehicles" aria-label="Vehicles">
        {rows?.map((v) => {
          const seconds = v.age < 0 ? -1 : v.age + (now - loadedAt) / 1000;
          const r = readings(v.status ?? {}, v.status ?? {}, {}, {});
          return (
            <li key={v.id}>
              <a class="card vehicle-link" href={`#/v/${encodeURIComponent(v.id)}`}>
                <strong>{v.id}</strong>
                <span class={v.v_net_connected ? 'badge online' : 'badge offline'}>
                  {v.v_net_connected ? 'online' : 'offline'}
                </span>
                <ProtocolBadge protocol={v.v_car_protocol} />
                {v.age >= 0 ? (
                  <span class="vehicle-facts" data-testid={`facts-${v.id}`}>
                    {fmt(r.soc)} % · {fmt(r.estimatedRange)} {r.units} · {r.chargeState ?? '–'}
                    {r.locked === undefined ? '' : r.locked ? ' · locked' : ' · unlocked'}
                  </span>
                ) : null}
                <span class="muted">
                  {seconds < 0 ? 'no data yet' : `data ${age(seconds)} old`} · {v.v_apps_connected} app
                  {v.v_apps_connected === 1 ? '' : 's'}
                </span>
              </a>
            </li>
          );
        })}
      </ul>
      <p>
        <a class="button" href="#/add">
          Add a vehicle
        </a>
      </p>
    </main>
  );
}

/** The stored S records page (uPlot), loaded only when opened. */
function StatusRecords(props: { vehicleId: string }) {
  const [Page, setPage] = useState<typeof import('./history').HistoryPage | undefined>();
  useEffect(() => {
    import('./history').then((m) => setPage(() => m.HistoryPage));
  }, []);
  return Page ? <Page vehicleId={props.vehicleId} /> : <p class="loading">Loading…</p>;
}

function App() {
  const hash = useHash();
  const [account, setAccount] = useState<Account | null | undefined>();
  const [expired, setExpired] = useState(false);
  const hadAccount = useRef(false);
  if (account) hadAccount.current = true;
  const [theme, nextTheme] = useTheme();
  const load = useCallback(() => {
    get<Account>('/api/account')
      .then(setAccount)
      .catch(() => setAccount(null));
  }, []);
  useEffect(() => {
    // "Your session has ended" only for a session that was there: not on a first visit (401).
    setOnUnauthorised((sessionEnded) => {
      setExpired(sessionEnded || hadAccount.current);
      setAccount(null);
    });
    load();
  }, [load]);
  const signedIn = Boolean(account);
  useEffect(() => {
    if (!signedIn) return;
    // On every page change: the title names the page (the vehicle page names the car itself), and
    // focus moves to the page's heading so a screen reader announces where it is.
    const [first, id, sub] = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
    const titles: Record<string, string> = { account: 'Account', add: 'Add a vehicle', admin: 'Operator' };
    if (first === 'v' && id && sub && ['history', 'records', 'trips', 'charges'].includes(sub))
      document.title = `${id} ${sub} – OVMS`;
    else if (first && titles[first]) document.title = `${titles[first]} – OVMS`;
    requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
  }, [hash, signedIn]);
  if (account === undefined) return <p class="loading">Loading…</p>;
  if (account === null)
    return (
      <Login
        expired={expired}
        onLogin={() => {
          setExpired(false);
          load();
        }}
      />
    );
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let page: preact.JSX.Element;
  if (parts[0] === 'v' && parts[1] && parts[2] === 'history')
    page = <RecordingHistoryPage vehicleId={parts[1]} />;
  else if (parts[0] === 'v' && parts[1] && parts[2] === 'records')
    page = <StatusRecords vehicleId={parts[1]} />;
  else if (parts[0] === 'v' && parts[1] && parts[2] === 'trips')
    page = <TripsPage key={parts[3]} vehicleId={parts[1]} tripId={parts[3]} />;
  else if (parts[0] === 'v' && parts[1] && parts[2] === 'charges')
    page = <ChargesPage key={parts[3]} vehicleId={parts[1]} chargeId={parts[3]} />;
  else if (parts[0] === 'v' && parts[1]) page = <VehiclePage key={parts[1]} vehicleId={parts[1]} />;
  else if (parts[0] === 'account') page = <AccountPage account={account} />;
  else if (parts[0] === 'add') page = <AddVehiclePage owner={account.owner} onAdded={load} />;
  else if (parts[0] === 'admin' && account.admin) page = <AdminPage owner={account.owner} />;
  else page = <VehicleList />;
  const current = (p: string) => (parts[0] === p || (p === '' && !parts[0]) ? 'page' : undefined);
  return (
    <>
      <button
        type="button"
        class="skip"
        onClick={() => document.querySelector<HTMLElement>('main h1')?.focus()}
      >
        Skip to content
      </button>
      <header class="top">
        <nav aria-label="Main">
          <a href="#/" class="brand" aria-current={current('')}>
            OVMS
          </a>
          <a href="#/account" aria-current={current('account')}>
            Account
          </a>
          <a href="#/add" aria-current={current('add')}>
            Add vehicle
          </a>
          {account.admin ? (
            <a href="#/admin" aria-current={current('admin')}>
              Operator
            </a>
          ) : null}
        </nav>
        <div class="top-actions">
          <button
            type="button"
            class="ghost"
            onClick={nextTheme}
            aria-label={`Theme: ${theme}. Change theme`}
          >
            {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
          </button>
          <span class="muted who">{account.owner}</span>
          <button
            type="button"
            class="ghost"
            onClick={() => {
              logout().finally(() => {
                setExpired(false);
                setAccount(null);
              });
            }}
          >
            Log out
          </button>
        </div>
      </header>
      <div id="main-content">{page}</div>
    </>
  );
}

render(<App />, document.getElementById('app')!);
