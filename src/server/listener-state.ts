/** What one listening port is doing, as `/health` shows it. */
export type ListenerState =
  | { readonly state: 'listening'; readonly port: number }
  | { readonly state: 'off' }
  | { readonly state: 'failed'; readonly error: string };

/** Every listener of a node, by name. */
export interface ListenerStates {
  v2: ListenerState;
  v2_tls: ListenerState;
  http: ListenerState;
  https: ListenerState;
  mqtt: ListenerState;
  mqtt_tls: ListenerState;
  /** `metrics.listen`: the unauthenticated metrics port (it opens or the start fails: never `failed`). */
  metrics: ListenerState;
}

export const OFF: ListenerState = { state: 'off' };

/** `listening` on `port`, or `off` for port 0 (not opened). */
export function listeningOn(port: number): ListenerState {
  return port > 0 ? { state: 'listening', port } : OFF;
}
