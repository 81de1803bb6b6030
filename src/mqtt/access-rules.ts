import { isTopicSafeName } from '../auth/account-names.js';
import { isPermitted, isRefused } from '../auth/permissions.js';

/**
 * Who may use which MQTT topics: the one rule set of the embedded broker and of `/mqapi/*` (the
 * HTTP back-end of an external broker), pure and without I/O.
 *
 * An owner login may use `ovms/<owner>/#`; a vehicle login (user name = vehicle id) only
 * `ovms/<owner>/<vehicle id>/#`. The prefix levels are compared literally, level by level: a
 * wildcard (`+`, `#`) standing in one of them is not the owner, and a name that cannot be a topic
 * level (it holds `/`, `+`, `#` or a control character) owns nothing. Wildcards are allowed after
 * the prefix only.
 */
export type BrokerIdentity =
  | { readonly kind: 'owner'; readonly ownerId: number; readonly owner: string }
  | {
      readonly kind: 'vehicle';
      readonly ownerId: number;
      readonly owner: string;
      readonly vehicleId: string;
    };

/** The topic levels an identity owns: `ovms`, owner (and vehicle id). */
export function prefixLevels(who: BrokerIdentity): string[] {
  return who.kind === 'owner' ? ['ovms', who.owner] : ['ovms', who.owner, who.vehicleId];
}

/** `ovms/<owner>/` or `ovms/<owner>/<vehicle id>/`, for messages. */
export function prefixOf(who: BrokerIdentity): string {
  return `${prefixLevels(who).join('/')}/`;
}

/**
 * True when `topic` (a topic or, with `filter`, a subscription filter) lies under `levels`: each
 * prefix level equal, at least one level after them, and no wildcard in a topic.
 */
function under(levels: readonly string[], topic: string, filter: boolean): boolean {
  // Every publish passes here: the levels are compared in place, the topic is not split.
  let at = 0;
  for (const level of levels) {
    if (!isTopicSafeName(level)) return false;
    if (!topic.startsWith(level, at) || topic.charCodeAt(at + level.length) !== SLASH) return false;
    at += level.length + 1;
  }
  return filter || !WILDCARD.test(topic);
}

const SLASH = 0x2f;
const WILDCARD = /[+#]/;

/** May this identity publish on `topic`? */
export function mayPublish(who: BrokerIdentity, topic: string): boolean {
  return under(prefixLevels(who), topic, false);
}

/** May this identity subscribe to `filter` (wildcards allowed after its prefix only)? */
export function maySubscribe(who: BrokerIdentity, filter: string): boolean {
  return under(prefixLevels(who), filter, true);
}

/**
 * The reference's `/mqapi/acl` rule, "the topic starts with `ovms/<username>/`", compared level
 * by level as above (the topic may be a filter: the broker asks for subscriptions too).
 */
export function ownsTopic(username: string | undefined, topic: string | undefined): boolean {
  if (username === undefined || topic === undefined) return false;
  return under(['ovms', username], topic, true);
}

/** True when a permit (a password login's `*` or a token's) may log in to a broker. */
export function hasMqttRight(permit: string): boolean {
  return !isRefused(permit) && isPermitted(permit, 'v3', 'mqtt');
}

/**
 * Topics that command a car: `ovms/<owner>/<vehicle id>/ha/command/<action>`, where Home Assistant
 * publishes (src/integrations/home-assistant). Publishing there needs the `vehicle.control` right,
 * as the HTTP control routes do.
 */
export function isCarCommandTopic(topic: string): boolean {
  const levels = topic.split('/');
  return levels.length === 6 && levels[0] === 'ovms' && levels[3] === 'ha' && levels[4] === 'command';
}

/**
 * Topics that run a module shell command: `ovms/<owner>/<vehicle id>/client/<client id>/command/<n>`
 * (V3.md §6). A v3 module runs the payload in its shell, and the bridge runs it on a v2 car as
 * command 7, so publishing there needs the `vehicle.shell` right, as command 7 does over HTTP.
 */
export function isShellCommandTopic(topic: string): boolean {
  const levels = topic.split('/');
  return levels.length === 7 && levels[0] === 'ovms' && levels[3] === 'client' && levels[5] === 'command';
}

/** May a login holding `permit` publish on `topic`, as far as rights go (topic access aside)? */
export function hasRightsFor(permit: string, topic: string): boolean {
  if (isShellCommandTopic(topic)) return isPermitted(permit, 'vehicle.shell');
  return !isCarCommandTopic(topic) || isPermitted(permit, 'vehicle.control');
}
