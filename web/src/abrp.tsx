import { useEffect, useState } from 'preact/hooks';
import { call, enc, get } from './api';
import { errorText, Notice, when } from './ui';

interface AbrpState {
  enabled: boolean;
  linked: boolean;
  refused: boolean;
  error: string;
  error_time: string;
  updated: string;
}

/** One vehicle's ABRP link: its state, and a form to store or remove the token. */
function AbrpVehicle(props: { vehicle: string }) {
  const path = `/api/vehicle/${enc(props.vehicle)}/abrp`;
  const [state, setState] = useState<AbrpState | undefined>();
  const [msg, setMsg] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const load = () =>
    get<AbrpState>(path)
      .then(setState)
      .catch((e) => setMsg({ kind: 'error', text: errorText(e) }));
  useEffect(() => void load(), [path]);
  const act = async (method: 'PUT' | 'DELETE', body?: unknown) => {
    try {
      setMsg({ kind: 'ok', text: await call<string>(method, path, body) });
      await load();
    } catch (err) {
      setMsg({ kind: 'error', text: errorText(err) });
    }
  };
  const store = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    await act('PUT', { token: String(new FormData(form).get('token') ?? '') });
    form.reset();
  };
  const status = !state
    ? '…'
    : !state.linked
      ? 'not linked'
      : state.refused
        ? 'refused by ABRP: store a new token'
        : state.error
          ? 'failing'
          : 'linked';
  return (
    <li data-testid={`abrp-${props.vehicle}`}>
      <strong>{props.vehicle}</strong>: <span data-testid="abrp-status">{status}</span>
      {state?.error ? (
        <Notice kind="error">
          {state.error}
          {state.error_time ? ` (${when(state.error_time)})` : ''}
        </Notice>
      ) : null}
      <form onSubmit={store} class="row">
        <label class="inline">
          ABRP token
          <input name="token" autocomplete="off" spellcheck={false} minLength={8} maxLength={200} required />
        </label>
        <button type="submit" class="primary">
          {state?.linked ? 'Replace token' : 'Link'}
        </button>
        {state?.linked ? (
          <button type="button" class="danger" onClick={() => void act('DELETE')}>
            Unlink
          </button>
        ) : null}
      </form>
      {msg ? <Notice kind={msg.kind}>{msg.text}</Notice> : null}
    </li>
  );
}

/** The account page's ABRP card: each vehicle's live-data link to A Better Route Planner. */
export function AbrpLinks(props: { vehicles: string[] }) {
  const [enabled, setEnabled] = useState(true);
  useEffect(() => {
    const first = props.vehicles[0];
    if (first)
      void get<AbrpState>(`/api/vehicle/${enc(first)}/abrp`)
        .then((s) => setEnabled(s.enabled))
        .catch(() => {});
  }, [props.vehicles.join()]);
  if (props.vehicles.length === 0) return <p class="muted">No vehicles yet.</p>;
  return (
    <>
      <p class="muted">
        With your ABRP token (ABRP: car settings, Live data, Generic token) the server sends your car's
        position, speed, state of charge and temperatures to A Better Route Planner while it drives or
        charges.
      </p>
      {enabled ? null : (
        <Notice kind="info">This server does not send to ABRP (its operator has not set it up).</Notice>
      )}
      <ul class="plain">
        {props.vehicles.map((v) => (
          <AbrpVehicle key={v} vehicle={v} />
        ))}
      </ul>
    </>
  );
}
