import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get } from './api';

/** "12 s", "4 min", "3 h", "2 d". */
export function age(seconds: number): string {
  if (seconds < 0) return 'never';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** Re-renders every `ms` so ages count up. */
export function useTick(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** GET `path` when it changes: the answer (undefined while loading) or the error's text. */
export function useGet<T>(path: string): { data: T | undefined; error: string } {
  const [state, setState] = useState<{ data: T | undefined; error: string }>({ data: undefined, error: '' });
  useEffect(() => {
    let current = true;
    setState({ data: undefined, error: '' });
    get<T>(path)
      .then((data) => current && setState({ data, error: '' }))
      .catch((e) => current && setState({ data: undefined, error: errorText(e) }));
    return () => {
      current = false;
    };
  }, [path]);
  return state;
}

export function Card(props: { title: string; children: ComponentChildren; id?: string; wide?: boolean }) {
  const id = props.id ?? `card-${props.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section class={props.wide ? 'card wide' : 'card'} aria-labelledby={id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function Stat(props: { label: string; value: ComponentChildren; unit?: string; testid?: string }) {
  return (
    <div class="stat">
      <dt>{props.label}</dt>
      <dd data-testid={props.testid}>
        {props.value}
        {props.unit ? <span class="unit"> {props.unit}</span> : null}
      </dd>
    </div>
  );
}

export function Notice(props: { kind: 'ok' | 'error' | 'info'; children: ComponentChildren }) {
  return (
    <p class={`notice ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A small badge saying how the car is connected: protocol v2, or v3 (MQTT); nothing when it is not. */
export function ProtocolBadge(props: { protocol: 'v2' | 'v3' | '' | undefined }) {
  if (!props.protocol) return null;
  return (
    <span
      class="badge"
      data-testid="car-protocol"
      title={props.protocol === 'v3' ? 'connected with protocol v3 (MQTT)' : 'connected with protocol v2'}
    >
      {props.protocol}
    </span>
  );
}

/** Copies `text`; says "Copied" for a moment. Falls back to a selection copy where the Clipboard API is off (plain HTTP). */
export function CopyButton(props: { text: string; label: string; visible?: string }) {
  const [state, setState] = useState<'' | 'ok' | 'failed'>('');
  const copy = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(props.text);
      else {
        const area = document.createElement('textarea');
        area.value = props.text;
        document.body.append(area);
        area.select();
        const ok = document.execCommand('copy');
        area.remove();
        if (!ok) throw new Error('copy refused');
      }
      setState('ok');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState(''), 2000);
  };
  return (
    <button type="button" class="copy" aria-label={props.label} onClick={() => void copy()}>
      {state === 'ok' ? 'Copied' : state === 'failed' ? 'Select and copy' : (props.visible ?? 'Copy')}
    </button>
  );
}

/** Every date and time on the dashboard: the browser's local time, with its zone ("4 Dec 2026, 23:34 UTC"). */
export function when(t: Date | number | string): string {
  const d = t instanceof Date ? t : new Date(t);
  if (Number.isNaN(d.getTime())) return '–';
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}
