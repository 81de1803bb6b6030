import { useState } from 'preact/hooks';
import { call, enc, serverSettings } from './api';
import { Card, errorText, Notice } from './ui';

function randomSecret(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function AddVehiclePage(props: { onAdded: () => void }) {
  const [secret, setSecret] = useState(randomSecret());
  const [error, setError] = useState('');
  const [done, setDone] = useState<{ id: string; secret: string } | undefined>();
  const settings = serverSettings();
  const host = location.hostname;
  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    setError('');
    try {
      const r = await call<{ vehicleid: string }>('POST', '/api/vehicles', {
        vehicleid: String(data.get('vehicleid')),
        secret,
      });
      setDone({ id: r.vehicleid, secret });
      props.onAdded();
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (done) {
    const port = settings.port;
    return (
      <main>
        <h1 tabIndex={-1}>Vehicle {done.id} added</h1>
        <div class="grid">
          <Card title="In the OVMS module" wide>
            <p>
              In the module's web UI: <em>Config → Server V2</em>, or in its shell:
            </p>
            <dl class="setup" data-testid="module-setup">
              <dt>Server</dt>
              <dd>
                <code>{host}</code>
              </dd>
              <dt>Port</dt>
              <dd>
                <code>{port}</code>
                {settings.tlsPort ? (
                  <>
                    {' '}
                    (or <code>{settings.tlsPort}</code> with TLS: tick “Use TLS”, recommended)
                  </>
                ) : (
                  ' (this server has no TLS port: the connection is not encrypted)'
                )}
              </dd>
              <dt>Vehicle ID</dt>
              <dd>
                <code data-testid="setup-id">{done.id}</code>
              </dd>
              <dt>Server password</dt>
              <dd>
                <code data-testid="setup-secret">{done.secret}</code>
              </dd>
            </dl>
            <pre class="shell">
              {[
                `config set vehicle id ${done.id}`,
                `config set server.v2 server ${host}`,
                `config set server.v2 port ${settings.tlsPort || port}`,
                `config set server.v2 tls ${settings.tlsPort ? 'yes' : 'no'}`,
                `config set password server.v2 "${done.secret}"`,
                'server v2 start',
              ].join('\n')}
            </pre>
          </Card>
          <Card title="In the phone app">
            <p>Add a vehicle in the OVMS app with:</p>
            <dl class="setup">
              <dt>Server</dt>
              <dd>
                <code>{host}</code>
              </dd>
              <dt>Vehicle ID</dt>
              <dd>
                <code>{done.id}</code>
              </dd>
              <dt>Vehicle password</dt>
              <dd>
                <code>{done.secret}</code> (the server password above)
              </dd>
            </dl>
          </Card>
        </div>
        <p>
          <a class="button primary" href={`#/v/${enc(done.id)}`}>
            Open {done.id}
          </a>{' '}
          The car shows as online once the module connects.
        </p>
      </main>
    );
  }
  return (
    <main>
      <h1 tabIndex={-1}>Add a vehicle</h1>
      <Card title="New vehicle">
        <form onSubmit={submit} class="stack">
          <label>
            Vehicle ID (letters, digits, - _ . ; up to 32)
            <input
              name="vehicleid"
              required
              maxLength={32}
              pattern="[A-Za-z0-9_.\-]{1,32}"
              placeholder="MYCAR"
            />
          </label>
          <label>
            Server password (shared with the module; at most 64 characters)
            <span class="row">
              <input
                name="secret"
                value={secret}
                maxLength={64}
                required
                onInput={(e) => setSecret((e.target as HTMLInputElement).value)}
              />
              <button type="button" onClick={() => setSecret(randomSecret())}>
                New random
              </button>
            </span>
          </label>
          <button type="submit" class="primary">
            Add vehicle
          </button>
          {error ? <Notice kind="error">{error}</Notice> : null}
        </form>
      </Card>
    </main>
  );
}
