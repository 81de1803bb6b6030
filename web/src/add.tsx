import { useState } from 'preact/hooks';
import { call, enc, serverSettings } from './api';
import { type SetupLine, v2Setup, v3Setup } from './module-setup';
import { Card, CopyButton, errorText, Notice } from './ui';

function randomSecret(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function AddVehiclePage(props: { owner: string; onAdded: () => void }) {
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
    const input = {
      vehicleId: done.id,
      owner: props.owner,
      secret: done.secret,
      host,
      v2Port: settings.port,
      v2TlsPort: settings.tlsPort,
      broker: settings.broker,
    };
    const v3 = v3Setup(input);
    return (
      <main>
        <h1 tabIndex={-1}>Vehicle {done.id} added</h1>
        <p>
          Set up the module in its shell (<em>Tools → Shell</em> in its web UI, or SSH) with either protocol.
          Each line has a copy button; the password is quoted as the module reads it.
        </p>
        <div class="grid">
          <Card title="Protocol v2 (recommended)" wide>
            <p>
              Server <code>{host}</code>, port{' '}
              {settings.tlsPort ? (
                <>
                  <code>{settings.tlsPort}</code> with TLS (or <code>{settings.port}</code> unencrypted)
                </>
              ) : (
                <>
                  <code>{settings.port}</code> (this server has no TLS port: the connection is not encrypted)
                </>
              )}
              , vehicle ID <code data-testid="setup-id">{done.id}</code>, server password{' '}
              <code data-testid="setup-secret">{done.secret}</code>.
            </p>
            <SetupCommands lines={v2Setup(input)} testid="setup-v2" />
          </Card>
          <Card title="Protocol v3 (MQTT)" wide>
            {v3.length ? (
              <SetupCommands lines={v3} testid="setup-v3" />
            ) : (
              <p>Protocol v3 is off on this server (no MQTT broker is configured).</p>
            )}
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

/** Commands to paste into the module's shell, one copy button per line and one for all. */
function SetupCommands(props: { lines: SetupLine[]; testid: string }) {
  return (
    <div data-testid={props.testid}>
      <ol class="commands-list">
        {props.lines.map((l) => (
          <li key={l.command}>
            <code class="shell-line">{l.command}</code>
            <CopyButton text={l.command} label={`Copy: ${l.command}`} />
            {l.note ? <span class="muted note">{l.note}</span> : null}
          </li>
        ))}
      </ol>
      <CopyButton
        text={props.lines.map((l) => l.command).join('\n')}
        label="Copy all lines"
        visible="Copy all"
      />
    </div>
  );
}
