import type { BrokerSettings } from './module-setup';

/** The server's HTTP API as the dashboard uses it: cookie session, JSON in, JSON or text out. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ServerSettings {
  tiles: string;
  port: number;
  tlsPort: number;
  broker?: BrokerSettings;
}

export function serverSettings(): ServerSettings {
  const meta = document.querySelector('meta[name="ovms-config"]');
  try {
    return { tiles: '', port: 6867, tlsPort: 0, ...JSON.parse(meta?.getAttribute('content') ?? '{}') };
  } catch {
    return { tiles: '', port: 6867, tlsPort: 0 };
  }
}

/** Called on a 401 so the app can show the login page again. */
export let onUnauthorised: (sessionEnded: boolean) => void = () => {};
export function setOnUnauthorised(f: (sessionEnded: boolean) => void): void {
  onUnauthorised = f;
}

export async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    // An ended session: 401, or 404 `Session expired` (what the server answers a stale cookie).
    const ended = res.status === 401 || (res.status === 404 && text.trim() === 'Session expired');
    if (ended && !path.startsWith('/api/cookie')) onUnauthorised(res.status === 404);
    throw new ApiError(res.status, text.trim() || res.statusText);
  }
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? JSON.parse(text) : text.trim()) as T;
}

export const get = <T>(path: string) => call<T>('GET', path);

/** Logs in with a POST body: the password never goes into a URL (proxy logs, history). */
export function login(username: string, password: string, remember = false): Promise<string> {
  return call<string>('POST', '/api/cookie', { username, password, ...(remember ? { remember: true } : {}) });
}

export function logout(): Promise<string> {
  return call<string>('DELETE', '/api/cookie');
}

export const enc = encodeURIComponent;

export interface Account {
  owner: string;
  admin: boolean;
  vehicles: { id: string; age_s: number }[];
}
export interface VehicleRow {
  id: string;
  v_net_connected: number;
  v_apps_connected: number;
  v_btcs_connected: number;
  /** With `?include=protocol`: how the car is connected ('v2', 'v3', or '' when it is not). */
  v_car_protocol?: 'v2' | 'v3' | '';
}
/** The list of the owner's vehicles, with how each car is connected. */
export const VEHICLES_WITH_PROTOCOL = '/api/vehicles?include=protocol';
export type View = Record<string, string | number | null>;
export interface HistoryRow {
  h_timestamp: string;
  h_recordnumber: number;
  h_data: string;
}

/** Server times are UTC 'YYYY-MM-DD HH:MM:SS'. */
export function serverTime(s: string): number {
  return Date.parse(`${s.replace(' ', 'T')}Z`);
}
