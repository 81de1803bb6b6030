import { useEffect, useState } from 'preact/hooks';
import { call, get } from './api';
import type { Place } from './recording-api';
import { errorText, Notice } from './ui';

/**
 * Names a place (PUT /api/places): trips and charges within its radius show the name, and charges
 * there cost its price per kWh. The position comes from the map (a click) or the buttons beside it.
 */
export function PlaceForm(props: {
  lat: number;
  lon: number;
  /** Where the position came from ("the trip's end", "picked on the map"). */
  source: string;
  onSaved: (p: Place) => void;
}) {
  const [name, setName] = useState('');
  const [radius, setRadius] = useState('150');
  const [price, setPrice] = useState('');
  const [answer, setAnswer] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setAnswer(undefined);
    try {
      const saved = await call<Place>('PUT', '/api/places', {
        name: name.trim(),
        lat: Number(props.lat.toFixed(6)),
        lon: Number(props.lon.toFixed(6)),
        radiusM: Number(radius),
        ...(price.trim() === '' ? {} : { pricePerKwh: Number(price) }),
      });
      setAnswer({ kind: 'ok', text: `Place "${saved.name}" saved` });
      props.onSaved(saved);
    } catch (err) {
      setAnswer({ kind: 'error', text: `Saving the place failed: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="place-form" onSubmit={submit} aria-label="Name a place">
      <p class="muted">
        Name the place at {props.lat.toFixed(5)}, {props.lon.toFixed(5)} ({props.source}; click the map to
        pick another point).
      </p>
      <div class="row">
        <label>
          Place name
          <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Radius (m)
          <input
            type="number"
            min={10}
            max={5000}
            required
            value={radius}
            onInput={(e) => setRadius(e.currentTarget.value)}
          />
        </label>
        <label>
          Price per kWh (optional)
          <input
            type="number"
            min={0}
            step="0.001"
            value={price}
            onInput={(e) => setPrice(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Save place
        </button>
      </div>
      <div aria-live="polite">{answer ? <Notice kind={answer.kind}>{answer.text}</Notice> : null}</div>
    </form>
  );
}

/** The owner's places, each removable. */
export function PlaceList(props: { version: number }) {
  const [places, setPlaces] = useState<Place[] | undefined>();
  const [error, setError] = useState('');
  const load = () =>
    get<Place[]>('/api/places')
      .then(setPlaces)
      .catch((e) => setError(errorText(e)));
  useEffect(() => void load(), [props.version]);
  const remove = async (p: Place) => {
    try {
      await call('DELETE', `/api/places/${p.id}`);
      void load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!places) return <p>Loading…</p>;
  if (places.length === 0)
    return <p class="muted">No named places yet: name one from a trip's or a charge's map.</p>;
  return (
    <ul class="place-list" data-testid="places" aria-label="Named places">
      {places.map((p) => (
        <li key={p.id}>
          <strong>{p.name}</strong>
          <span class="muted">
            {p.lat.toFixed(5)}, {p.lon.toFixed(5)} · {p.radiusM} m
            {p.pricePerKwh === null ? '' : ` · ${p.pricePerKwh} per kWh`}
          </span>
          <button type="button" class="danger place-remove" onClick={() => void remove(p)}>
            Remove {p.name}
          </button>
        </li>
      ))}
    </ul>
  );
}
