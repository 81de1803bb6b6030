import { useEffect, useState } from 'preact/hooks';
import { AbrpLinks } from './abrp';
import { type Account, call, enc, get, serverTime } from './api';
import { Card, errorText, Notice, when } from './ui';

interface Token {
  token: string;
  application: string;
  purpose: string;
  permit: string;
  created: string;
  lastused: string;
}
interface Push {
  appid: string;
  pushtype: string;
  pushkeytype: string;
  pushkey: string;
  updated: string;
}

function PasswordForm() {
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    if (data.get('password') !== data.get('again')) {
      setMsg({ kind: 'error', text: 'The new passwords differ' });
      return;
    }
    try {
      const answer = await call<string>('PUT', '/api/account/password', {
        current: data.get('current'),
        password: data.get('password'),
        keep_tokens: data.get('keep_tokens') === 'on',
      });
      form.reset();
      setMsg({ kind: 'ok', text: `${answer}. Your other sessions were logged out.` });
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  return (
    <form onSubmit={submit} class="stack">
      <label>
        Current password
        <input name="current" type="password" autocomplete="current-password" required />
      </label>
      <label>
        New password (at least 8 characters)
        <input name="password" type="password" autocomplete="new-password" minLength={8} required />
      </label>
      <label>
        New password again
        <input name="again" type="password" autocomplete="new-password" minLength={8} required />
      </label>
      <label class="inline">
        <input name="keep_tokens" type="checkbox" /> Keep my API tokens (by default they are revoked)
      </label>
      <button type="submit" class="primary">
        Change password
      </button>
      {msg ? <Notice kind={msg.kind}>{msg.text}</Notice> : null}
    </form>
  );
}

function Tokens() {
  const [tokens, setTokens] = useState<Token[]>([]);
  const [created, setCreated] = useState<string | undefined>();
  const [error, setError] = useState('');
  const load = () =>
    get<Token[]>('/api/token')
      .then(setTokens)
      .catch((e) => setError(errorText(e)));
  useEffect(() => void load(), []);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    try {
      const t = await call<{ token: string }>('POST', '/api/token', {
        application: String(data.get('application') || 'dashboard'),
        purpose: String(data.get('purpose') || 'notspecified'),
        permit: String(data.get('permit')),
      });
      setCreated(t.token);
      form.reset();
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const revoke = async (t: Token) => {
    if (!confirm(`Revoke the token of ${t.application}?`)) return;
    try {
      await call('DELETE', `/api/token/${enc(t.token)}`);
      setCreated(undefined);
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <form onSubmit={create} class="row">
        <label class="inline">
          Application
          <input name="application" maxLength={32} placeholder="home-assistant" required />
        </label>
        <label class="inline">
          Purpose
          <input name="purpose" maxLength={80} placeholder="dashboard" />
        </label>
        <label class="inline">
          Rights
          <select name="permit">
            <option value="auth">read only (auth)</option>
            <option value="vehicle.control">read and control the car (vehicle.control)</option>
            <option value="vehicle.control,session">
              read and control, with cookie login (vehicle.control,session)
            </option>
            <option value="vehicle.shell">every command, shell included (vehicle.shell)</option>
            <option value="*">everything (*)</option>
          </select>
        </label>
        <button type="submit" class="primary">
          Create token
        </button>
      </form>
      {created ? (
        <Notice kind="ok">
          New token (shown only now, copy it): <code data-testid="new-token">{created}</code>
        </Notice>
      ) : null}
      {tokens.length === 0 ? (
        <p class="muted">No API tokens.</p>
      ) : (
        <table data-testid="tokens">
          <thead>
            <tr>
              <th scope="col">Application</th>
              <th scope="col">Purpose</th>
              <th scope="col">Rights</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.token}>
                <td>{t.application}</td>
                <td>{t.purpose}</td>
                <td>{t.permit}</td>
                <td>
                  {/* The API gives the creation time for a token never used (as the reference). */}
                  {t.lastused === t.created ? 'never' : when(serverTime(t.lastused))}
                </td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    onClick={() => void revoke(t)}
                    aria-label={`Revoke ${t.application}`}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function PushSubscriptions(props: { vehicles: string[] }) {
  const [subs, setSubs] = useState<[string, Push][]>([]);
  const [error, setError] = useState('');
  const load = () =>
    Promise.all(
      props.vehicles.map((v) =>
        get<Push[]>(`/api/push/${enc(v)}`).then((l) => l.map((p) => [v, p] as [string, Push])),
      ),
    )
      .then((all) => setSubs(all.flat()))
      .catch((e) => setError(errorText(e)));
  useEffect(() => void load(), [props.vehicles.join()]);
  const remove = async (v: string, p: Push) => {
    try {
      await call('DELETE', `/api/push/${enc(v)}/${enc(p.appid)}`);
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (error) return <Notice kind="error">{error}</Notice>;
  if (subs.length === 0)
    return <p class="muted">No phone is subscribed to notifications of your vehicles.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Vehicle</th>
          <th scope="col">App</th>
          <th scope="col">Type</th>
          <th scope="col">Updated</th>
          <th scope="col">
            <span class="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {subs.map(([v, p]) => (
          <tr key={v + p.appid}>
            <td>{v}</td>
            <td>
              <code>{p.appid}</code>
            </td>
            <td>
              {p.pushtype}/{p.pushkeytype}
            </td>
            <td>{when(p.updated)}</td>
            <td>
              <button type="button" class="danger" onClick={() => void remove(v, p)}>
                Remove
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AccountPage(props: { account: Account }) {
  return (
    <main>
      <h1 tabIndex={-1}>Account: {props.account.owner}</h1>
      <div class="grid">
        <Card title="Change password">
          <PasswordForm />
        </Card>
        <Card title="Push subscriptions">
          <PushSubscriptions vehicles={props.account.vehicles.map((v) => v.id)} />
        </Card>
        <Card title="ABRP live data" wide>
          <AbrpLinks vehicles={props.account.vehicles.map((v) => v.id)} />
        </Card>
        <Card title="API tokens" wide>
          <p class="muted">
            Tokens let programs use the API without your password:{' '}
            <code>Authorization: Bearer &lt;token&gt;</code>.
          </p>
          <Tokens />
        </Card>
      </div>
    </main>
  );
}
