import { useEffect, useState } from 'preact/hooks';
import { get } from './api';
import { age, Card, errorText, Notice, Stat } from './ui';

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

export function AdminPage() {
  const [o, setO] = useState<Overview | undefined>();
  const [error, setError] = useState('');
  const load = () =>
    get<Overview>('/api/admin/overview')
      .then(setO)
      .catch((e) => setError(errorText(e)));
  useEffect(() => void load(), []);
  return (
    <main>
      <div class="title-row">
        <h1 tabIndex={-1}>Operator</h1>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
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
                      {w.name}
                      {w.admin ? <span class="badge">admin</span> : null}
                    </td>
                    <td>{w.vehicles}</td>
                    <td>{new Date(w.created).toLocaleDateString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          <Card title={`Vehicles (${o.vehicles.length})`} id="all-vehicles" wide>
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
                {o.vehicles.map((v) => (
                  <tr key={v.id}>
                    <td>{v.id}</td>
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
