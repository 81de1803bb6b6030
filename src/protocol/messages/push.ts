import { splitHead } from './parse.js';

/**
 * `P` push notifications from the car and `p` push subscriptions from apps (WIRE.md §3.2, §8).
 */

/** `A` alert, `I` info, `E` error code; other bytes are relayed as they are. */
export type AlertType = 'A' | 'I' | 'E' | (string & {});

/** The structured part of a `PE` error notification, which the server expands via VECE tables. */
export interface PushErrorCode {
  readonly vehicleType: string;
  readonly errorCode: string;
  /** Raw error data (the expansion shows it as 8 hex digits); `undefined` when not sent. */
  readonly data: string | undefined;
}

export interface PushNotification {
  readonly code: 'P';
  readonly kind: 'push';
  /** The first payload character; empty only for an empty payload. */
  readonly alertType: AlertType;
  /** Everything after the type byte. `PA`/`PI` texts are MP-encoded (§3.1); `PE` texts are not. */
  readonly text: string;
  /** Parsed from `text` for `E` notifications that have at least two fields, else `undefined`. */
  readonly error: PushErrorCode | undefined;
}

function parseErrorCode(text: string): PushErrorCode | undefined {
  const first = text.indexOf(',');
  if (first < 0) return undefined;
  const second = text.indexOf(',', first + 1);
  return {
    vehicleType: text.slice(0, first),
    errorCode: second < 0 ? text.slice(first + 1) : text.slice(first + 1, second),
    data: second < 0 ? undefined : text.slice(second + 1),
  };
}

export function decodePush(payload: string): PushNotification {
  const alertType = payload.slice(0, 1);
  const text = payload.slice(1);
  return {
    code: 'P',
    kind: 'push',
    alertType,
    text,
    error: alertType === 'E' ? parseErrorCode(text) : undefined,
  };
}

/** `text` is authoritative; `error` is only a parsed view of it. */
export function encodePush(push: Pick<PushNotification, 'alertType' | 'text'>): string {
  return push.alertType + push.text;
}

/**
 * What a `p` subscription registers:
 * - `vehicle`: `<vehicleid>,<netpass>,<pushkeyvalue>`, checked against the vehicle's server
 *   password. The netpass may contain commas: the vehicle is the first field, the key value the
 *   last, and the password everything between (§8).
 * - `simple`: keytype `simple` with one value, for the connection's own vehicle, no password.
 * - `incomplete`: neither form; `rest` is whatever followed the key type (if anything).
 */
export type PushTarget =
  | {
      readonly kind: 'vehicle';
      readonly vehicleId: string;
      readonly netpass: string;
      readonly keyValue: string;
    }
  | { readonly kind: 'simple'; readonly value: string }
  | { readonly kind: 'incomplete'; readonly rest: string | undefined };

export interface PushSubscription {
  readonly code: 'p';
  readonly kind: 'push-subscription';
  readonly appId: string;
  /** `apns`, `gcm` (FCM), `mail`, `expo`…; `undefined` when the payload stops before it. */
  readonly pushType: string | undefined;
  /** `production`, `sandbox` or `simple`; `undefined` when the payload stops before it. */
  readonly keyType: string | undefined;
  readonly target: PushTarget;
}

function decodeTarget(keyType: string | undefined, rest: string | undefined): PushTarget {
  if (rest !== undefined) {
    const first = rest.indexOf(',');
    const last = rest.lastIndexOf(',');
    // The vehicle form is tried first, as the reference server does, so a `simple` value with
    // two or more commas is read as vehicle,netpass,key.
    if (first >= 0 && last > first) {
      return {
        kind: 'vehicle',
        vehicleId: rest.slice(0, first),
        netpass: rest.slice(first + 1, last),
        keyValue: rest.slice(last + 1),
      };
    }
    if (keyType === 'simple' && rest !== '') return { kind: 'simple', value: rest };
  }
  return { kind: 'incomplete', rest };
}

export function decodePushSubscription(payload: string): PushSubscription {
  const [appId = '', pushType, keyType, rest] = splitHead(payload, 3);
  return {
    code: 'p',
    kind: 'push-subscription',
    appId,
    pushType,
    keyType,
    target: decodeTarget(keyType, rest),
  };
}

export function encodePushSubscription(sub: Omit<PushSubscription, 'code' | 'kind'>): string {
  const { target } = sub;
  let rest: string | undefined;
  if (target.kind === 'vehicle') rest = `${target.vehicleId},${target.netpass},${target.keyValue}`;
  else if (target.kind === 'simple') rest = target.value;
  else rest = target.rest;
  const parts = [sub.appId, sub.pushType, sub.keyType, rest];
  let count = parts.length;
  while (count > 1 && parts[count - 1] === undefined) count--;
  return parts
    .slice(0, count)
    .map((part) => part ?? '')
    .join(',');
}
