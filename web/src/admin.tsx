import { useEffect, useState } from 'preact/hooks';
import { get } from './api';
import { age, Card, errorText, Notice, Stat, when } from './ui';

interface Overview {
  server: {
    cars: number;
    apps: number;
    batch: number;
    connections: number;
    uptime_s: number;
    memory_mb: number;
    history_refused: number;
  };
  owners: { name: string; admin: boolean; vehicles: number; created: string }[];
  vehicles: {
    id: string;
    owner: string;
    v_net_connected: number;
    v_apps_connected: number;
    v_btcs_connected: number;
    history_refused: number;
  }[];
}

/**
 * The operator's view: the server's counts and every owner and vehicle with its connection state,
 * refreshed every 10 s. What an operator may see (docs/dashboard.md): connection-level facts, not an
 * owner's car data; the operator's own vehicles link to their pages, an owner's name filters the
 * vehicle list.
 */
export function AdminPage(props: { owner: string }) {
  const [o, setO] = useState<Overview | undefined>();
  const [error, setError] = useState('');
  const [only, setOnly] = useState<string | undefined>();
  const load = () =>
    get<Overview>('/api/admin/overview')
      .then((v) => {
        setO(v);
        setError('');
      })
      .catch((e) => setError(errorText(e)));
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 10_000);
    return () => clearInterval(timer);
  }, []);
  const vehicles = o?.vehicles.filter((v) => only === undefined || v.owner === only) ?? [];
  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>Operator</h1>
        <span class="muted">refreshed every 10 s</span>
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {o ? (
        <div class="grid">
          <Card title="Server">
            <dl class="stats">
              <Stat label="Cars connected" value={o.server.cars} testid="admin-cars" />
              <Stat label="Apps connected" value={o.server.apps} />
              <Stat label="Batch clients" value={o.server.batch} />
              <Stat label="Connections" value={o.server.connections} />
              <Stat label="Uptime" value={age(o.server.uptime_s)} />
              <Stat label="Memory" value={o.server.memory_mb} unit="MB" />
              <Stat label="History records refused" value={o.server.history_refused} />
            </dl>
          </Card>
          <Card title={`Owners (${o.owners.length})`} id="owners">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Vehicles</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {o.owners.map((w) => (
                  <tr key={w.name}>
                    <td>
                      <button
                        type="button"
                        class="link"
                        aria-pressed={only === w.name}
                        onClick={() => setOnly(only === w.name ? undefined : w.name)}
                        title={`Show only the vehicles of ${w.name}`}
                      >
                        {w.name}
                      </button>
                      {w.admin ? <span class="badge">admin</span> : null}
                    </td>
                    <td>{w.vehicles}</td>
                    <td>{when(w.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card
            title={only ? `Vehicles of ${only} (${vehicles.length})` : `Vehicles (${vehicles.length})`}
            id="all-vehicles"
            wide
          >
            {only ? (
              <p>
                <button type="button" onClick={() => setOnly(undefined)}>
                  Show every owner's vehicles
                </button>
              </p>
            ) : null}
            <table>
              <thead>
                <tr>
                  <th scope="col">Vehicle</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Car</th>
                  <th scope="col">Apps</th>
                  <th scope="col">Batch</th>
                  <th scope="col">History refused</th>
                </tr>
              </thead>
              <tbody>
                {vehicles.map((v) => (
                  <tr key={`${v.owner}/${v.id}`}>
                    <td>
                      {v.owner === props.owner ? (
                        <a href={`#/v/${encodeURIComponent(v.id)}`}>{v.id}</a>
                      ) : (
                        <span title="An owner's car data is not shown to operators">{v.id}</span>
                      )}
                    </td>
                    <td>{v.owner}</td>
                    <td>
                      <span class={v.v_net_connected ? 'badge online' : 'badge offline'}>
                        {v.v_net_connected ? 'online' : 'offline'}
                      </span>
                    </td>
                    <td>{v.v_apps_connected}</td>
                    <td>{v.v_btcs_connected}</td>
                    <td>{v.history_refused}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </div>
      ) : null}
    </main>
  );
}
