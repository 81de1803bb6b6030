import { createHash, timingSafeEqual } from 'node:crypto';
import { isTopicSafeName, printable } from '../auth/account-names.js';
import type { AccountThrottle } from '../auth/account-throttle.js';
import { checkPasswordOrToken } from '../auth/password-login.js';
import type { AuthThrottle } from '../server/auth-throttle.js';
import type { ServerCounters } from '../server/server-counters.js';
import type { Store } from '../store/store.js';
import { type BrokerIdentity, hasMqttRight } from './access-rules.js';

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) a login can end with. */
export const SERVER_UNAVAILABLE = 3;
export const BAD_USER_OR_PASSWORD = 4;
export const NOT_AUTHORIZED = 5;

export type BrokerLogin =
  | {
      ok: true;
      identity: BrokerIdentity;
      via: 'password' | 'token' | 'vehicle';
      /** The rights held: a token's permit; `*` for the owner's password and a vehicle's secret. */
      permit: string;
    }
  /**
   * `code` 4 or 5 for credentials that will not work (the firmware stops retrying), 3 for what may
   * pass later (a database error, the login throttle): the module retries.
   */
  | { ok: false; code: 3 | 4 | 5; reason: string };

export interface BrokerLoginDeps {
  store: Store;
  /** Per account from any address, shared with every other password login of the node. */
  accounts: AccountThrottle;
  /** Per address and name, shared with the v2 logins. */
  throttle: AuthThrottle;
  /** The node's counters, for the metrics' `ovms_logins_total{kind="mqtt"}`. */
  counters?: ServerCounters;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * A broker CONNECT's user name and password against our store, both conventions in use:
 * - user name = a vehicle id, password = that vehicle's secret (the module's v2 server password):
 *   a vehicle login, limited to that vehicle's topics;
 * - user name = an owner name, password = the owner's password or an API token holding the
 *   `mqtt` (or `v3`) right: an owner login, all the owner's topics.
 * One attempt of the per-account throttle covers both checks, and a wrong password always costs
 * an owner-password hash (against a dummy for unknown names), so the answer's timing tells neither
 * which names exist nor whether a name is a vehicle id.
 */
export async function brokerLogin(
  deps: BrokerLoginDeps,
  username: string | undefined,
  password: Buffer | undefined,
  address: string,
): Promise<BrokerLogin> {
  const secret = password?.toString('utf8') ?? '';
  if (username === undefined || username === '' || secret === '') {
    deps.counters?.mqttLogin('refused');
    const reason = username ? `no password for ${printable(username)}` : 'no user name';
    return { ok: false, code: BAD_USER_OR_PASSWORD, reason };
  }
  const who = printable(username);
  const key = `user:${username}`;
  if (deps.throttle.blocked(address, key)) {
    deps.counters?.mqttLogin('throttled');
    return {
      ok: false,
      code: SERVER_UNAVAILABLE,
      reason: `login throttled: too many failures for ${who} from this address`,
    };
  }
  const attempt = deps.accounts.begin(username, address);
  if (!('settle' in attempt)) {
    deps.counters?.mqttLogin('throttled');
    return {
      ok: false,
      code: SERVER_UNAVAILABLE,
      reason: `login throttled: too many failed logins for ${who} (next try in ${Math.ceil(attempt.wait / 1000)} s)`,
    };
  }
  let result: BrokerLogin;
  try {
    result = await check(deps.store, username, secret);
  } catch (err) {
    attempt.settle(undefined);
    return { ok: false, code: SERVER_UNAVAILABLE, reason: `login not checked: ${(err as Error).message}` };
  }
  // A right credential without the right is no guess: it does not count as a failure.
  attempt.settle(result.ok || result.code === NOT_AUTHORIZED);
  deps.counters?.mqttLogin(result.ok ? 'ok' : 'refused');
  if (result.ok || result.code === NOT_AUTHORIZED) deps.throttle.succeed(address, key);
  else {
    const count = deps.throttle.fail(address, key);
    result = { ...result, reason: `${result.reason} (failure ${count} for ${who} from this address)` };
  }
  return result;
}

async function check(store: Store, username: string, secret: string): Promise<BrokerLogin> {
  const vehicle = await store.findVehicle(username);
  if (vehicle && sameSecret(vehicle.secret, secret)) {
    if (!isTopicSafeName(vehicle.ownerName) || !isTopicSafeName(vehicle.vehicleId))
      return unsafeName(vehicle.ownerName);
    const identity: BrokerIdentity = {
      kind: 'vehicle',
      ownerId: vehicle.ownerId,
      owner: vehicle.ownerName,
      vehicleId: vehicle.vehicleId,
    };
    // The vehicle's secret is what v2 apps log in with: it controls the car.
    return { ok: true, identity, via: 'vehicle', permit: '*' };
  }
  const login = await checkPasswordOrToken(store, username, secret);
  if (!login.ok)
    return {
      ok: false,
      code: BAD_USER_OR_PASSWORD,
      reason: `bad password or token for ${printable(username)}`,
    };
  if (!hasMqttRight(login.permit))
    return {
      ok: false,
      code: NOT_AUTHORIZED,
      reason: `the token of ${printable(username)} does not hold the mqtt right`,
    };
  if (!isTopicSafeName(login.owner.name)) return unsafeName(login.owner.name);
  const identity: BrokerIdentity = { kind: 'owner', ownerId: login.owner.id, owner: login.owner.name };
  return { ok: true, identity, via: login.via, permit: login.permit };
}

function unsafeName(name: string): BrokerLogin {
  return {
    ok: false,
    code: NOT_AUTHORIZED,
    reason: `the owner name "${printable(name)}" cannot be an MQTT topic level (it holds "/", "+", "#" or a control character)`,
  };
}
