/**
 * v3 (MQTT) topics as the OVMS module uses them (V3.md §2): parsing a topic under a vehicle's
 * prefix into what it means, and building the topics a broker or bridge publishes. A metric name
 * `v.b.soc` is the topic path `metric/v/b/soc`: every `.` becomes `/`.
 *
 * Parsers never throw; they return `{ ok: false, error, reason }`. Builders throw a `TopicError`
 * for names that cannot make a valid topic (empty levels, wildcards, `/` inside a level).
 */

export class TopicError extends Error {
  override name = 'TopicError';
}

/** The topic of the module's will and login flag, relative to the prefix. */
export const CONNECTED_METRIC = 's.v3.connected';

export type NotifyType = 'info' | 'alert' | 'error';
const NOTIFY_TYPES: readonly string[] = ['info', 'alert', 'error'];

export type V3Topic =
  /** `metric/<name with . → />`, payload = value text (§3.4). */
  | { readonly kind: 'metric'; readonly metric: string }
  /** `notify/<info|alert|error>/<subtype path>`; `subtype` dotted (`charge.stopped`), may be empty. */
  | { readonly kind: 'notify'; readonly type: NotifyType; readonly subtype: string }
  /** `notify/data/<subtype path>/<id>/<age>`: one historical record (§7.2). */
  | { readonly kind: 'notify-data'; readonly subtype: string; readonly id: string; readonly age: string }
  /** `event`: the legacy event topic, payload = event name. */
  | { readonly kind: 'event-legacy' }
  /** `event/<name with . → />`, empty payload (since 3.3.005). */
  | { readonly kind: 'event'; readonly event: string }
  | { readonly kind: 'client-active'; readonly clientId: string }
  | { readonly kind: 'client-command'; readonly clientId: string; readonly commandId: string }
  | { readonly kind: 'client-response'; readonly clientId: string; readonly commandId: string }
  | { readonly kind: 'client-request-metric'; readonly clientId: string }
  | { readonly kind: 'client-request-config'; readonly clientId: string }
  /**
   * `client/<cid>/config/<param path>/<instance path>`: a reply to `request/config`. Dots in both
   * names became `/`, so the split between them is lost: `levels` are the raw levels; compare with
   * `configReplyLevels(param, instance)` of the request.
   */
  | { readonly kind: 'client-config'; readonly clientId: string; readonly levels: readonly string[] };

export type TopicParseError = 'outside-prefix' | 'invalid' | 'unknown';

export type TopicParse =
  | { readonly ok: true; readonly topic: V3Topic }
  | { readonly ok: false; readonly error: TopicParseError; readonly reason: string };

/** Any character a topic level must not hold. */
const UNSAFE_IN_LEVEL = /[+#/\u0000]/;

/** Why a single topic level is unusable, or `undefined` when it is fine. */
export function levelProblem(level: string): string | undefined {
  // Every level of every message passes here: the usual answer first, in one scan.
  if (level !== '' && !UNSAFE_IN_LEVEL.test(level)) return undefined;
  if (level === '') return 'empty topic level';
  if (level.includes('+') || level.includes('#')) return `wildcard in topic level ${JSON.stringify(level)}`;
  if (level.includes('/')) return `"/" inside topic level ${JSON.stringify(level)}`;
  if (level.includes('\u0000')) return 'NUL character in topic level';
  return undefined;
}

function checkLevels(levels: readonly string[], what: string): void {
  for (const level of levels) {
    const problem = levelProblem(level);
    if (problem !== undefined) throw new TopicError(`${what}: ${problem}`);
  }
}

/**
 * Why a topic prefix is unusable (`undefined` when fine). The module appends topic names directly,
 * so a prefix must end with `/`; it must not start with `$` (broker-reserved) or `/`, and no level
 * may be empty or hold a wildcard.
 */
export function prefixProblem(prefix: string): string | undefined {
  if (!prefix.endsWith('/')) return 'the topic prefix must end with "/"';
  if (prefix.startsWith('$')) return 'the topic prefix must not start with "$"';
  for (const level of prefix.slice(0, -1).split('/')) {
    const problem = levelProblem(level);
    if (problem !== undefined) return `topic prefix: ${problem}`;
  }
  return undefined;
}

function checkPrefix(prefix: string): void {
  const problem = prefixProblem(prefix);
  if (problem !== undefined) throw new TopicError(`${problem} (${JSON.stringify(prefix)})`);
}

/**
 * The module's default prefix: `ovms/<server.v3 user>/<vehicle id>/`, or `ovms/<user>/` when the
 * vehicle id is empty (§2.1). Ids are used as given (topics are case-sensitive).
 */
export function defaultTopicPrefix(user: string, vehicleId: string): string {
  const levels = vehicleId === '' ? ['ovms', user] : ['ovms', user, vehicleId];
  checkLevels(levels, 'topic prefix');
  return `${levels.join('/')}/`;
}

/**
 * Splits a topic of the default layout `ovms/<user>/<vehicle id>/<rest>` (e.g. for a broker that
 * only knows the owner). `undefined` when the topic has fewer levels or another first level.
 */
export function splitDefaultPrefix(
  topic: string,
):
  | { readonly user: string; readonly vehicleId: string; readonly prefix: string; readonly rest: string }
  | undefined {
  // Called for every message a bridge follows: the three levels are found without splitting it all.
  if (!topic.startsWith('ovms/')) return undefined;
  const userEnd = topic.indexOf('/', 5);
  const vehicleEnd = userEnd < 0 ? -1 : topic.indexOf('/', userEnd + 1);
  if (vehicleEnd < 0) return undefined;
  const user = topic.slice(5, userEnd);
  const vehicleId = topic.slice(userEnd + 1, vehicleEnd);
  if (levelProblem(user) !== undefined || levelProblem(vehicleId) !== undefined) return undefined;
  return { user, vehicleId, prefix: topic.slice(0, vehicleEnd + 1), rest: topic.slice(vehicleEnd + 1) };
}

/** `v.b.soc` → `v/b/soc`. Throws a `TopicError` for empty segments, wildcards or `/`. */
export function metricToPath(name: string): string {
  const segments = name.split('.');
  checkLevels(segments, `metric name ${JSON.stringify(name)}`);
  return segments.join('/');
}

/** Levels `v`, `b`, `soc` → `v.b.soc`; a reason instead when a level is empty, a wildcard or holds a dot. */
export function pathToMetric(levels: readonly string[]): { name: string } | { reason: string } {
  if (levels.length === 0) return { reason: 'no metric name' };
  for (const level of levels) {
    const problem = levelProblem(level);
    if (problem !== undefined) return { reason: problem };
    if (level.includes('.')) return { reason: `"." inside topic level ${JSON.stringify(level)}` };
  }
  return { name: levels.join('.') };
}

function invalid(reason: string): TopicParse {
  return { ok: false, error: 'invalid', reason };
}

function found(topic: V3Topic): TopicParse {
  return { ok: true, topic };
}

function parseNotify(levels: readonly string[]): TopicParse {
  const [type, ...rest] = levels;
  if (type === 'data') {
    if (rest.length < 3) return invalid('notify/data needs <subtype>/<id>/<age>');
    const age = rest.at(-1)!;
    const id = rest.at(-2)!;
    return found({ kind: 'notify-data', subtype: rest.slice(0, -2).join('.'), id, age });
  }
  if (type === undefined || !NOTIFY_TYPES.includes(type)) {
    return { ok: false, error: 'unknown', reason: `unknown notification type ${JSON.stringify(type ?? '')}` };
  }
  // Before 3.3.005 the subtype was one dotted level; since then its dots are levels.
  return found({ kind: 'notify', type: type as NotifyType, subtype: rest.join('.') });
}

function parseClient(levels: readonly string[]): TopicParse {
  const [clientId = '', what, ...rest] = levels;
  const single = rest.length === 1 ? rest[0] : undefined;
  if (what === 'active' && rest.length === 0) return found({ kind: 'client-active', clientId });
  if (what === 'command' && single !== undefined)
    return found({ kind: 'client-command', clientId, commandId: single });
  if (what === 'response' && single !== undefined) {
    return found({ kind: 'client-response', clientId, commandId: single });
  }
  if (what === 'request' && single === 'metric') return found({ kind: 'client-request-metric', clientId });
  if (what === 'request' && single === 'config') return found({ kind: 'client-request-config', clientId });
  if (what === 'config' && rest.length >= 2) return found({ kind: 'client-config', clientId, levels: rest });
  return { ok: false, error: 'unknown', reason: `unknown client topic ${JSON.stringify(levels.join('/'))}` };
}

/**
 * Parses a topic published under `prefix` (which ends with `/`). Rejects, with a reason, topics
 * outside the prefix, topics with empty levels or wildcards, and shapes V3.md does not define.
 */
export function parseTopic(topic: string, prefix: string): TopicParse {
  const problem = prefixProblem(prefix);
  if (problem !== undefined) return invalid(problem);
  if (!topic.startsWith(prefix)) {
    return { ok: false, error: 'outside-prefix', reason: `topic is not under ${JSON.stringify(prefix)}` };
  }
  return parseRelativeTopic(topic.slice(prefix.length));
}

/**
 * Parses the part of a topic after a prefix known to be valid (e.g. the `rest` of
 * `splitDefaultPrefix`), as `parseTopic` does.
 */
export function parseRelativeTopic(relative: string): TopicParse {
  if (relative === 'event') return found({ kind: 'event-legacy' });
  const levels = relative.split('/');
  for (const level of levels) {
    const levelIssue = levelProblem(level);
    if (levelIssue !== undefined) return invalid(levelIssue);
  }
  const [root, ...rest] = levels;
  switch (root) {
    case 'metric': {
      // The levels are checked above; pathToMetric's other rule: no dot inside one.
      if (rest.length === 0) return invalid('no metric name');
      const dotted = rest.find((level) => level.includes('.'));
      if (dotted !== undefined) return invalid(`"." inside topic level ${JSON.stringify(dotted)}`);
      return found({ kind: 'metric', metric: rest.join('.') });
    }
    case 'notify':
      return parseNotify(rest);
    case 'event':
      return found({ kind: 'event', event: rest.join('.') });
    case 'client':
      return parseClient(rest);
    default:
      return { ok: false, error: 'unknown', reason: `unknown topic ${JSON.stringify(relative)}` };
  }
}

/** `<prefix>metric/<path>`. */
export function metricTopic(prefix: string, metric: string): string {
  checkPrefix(prefix);
  return `${prefix}metric/${metricToPath(metric)}`;
}

/** `<prefix>metric/s/v3/connected`: the module's will (`no`) and login flag (`yes`), retained. */
export function connectedTopic(prefix: string): string {
  return metricTopic(prefix, CONNECTED_METRIC);
}

function clientTopic(prefix: string, clientId: string, ...rest: string[]): string {
  checkPrefix(prefix);
  checkLevels([clientId, ...rest], 'client topic');
  return `${prefix}client/${[clientId, ...rest].join('/')}`;
}

/** `<prefix>client/<cid>/active`: publish `1` (not retained) every 60 s while apps watch, `0` at the end. */
export function activeTopic(prefix: string, clientId: string): string {
  return clientTopic(prefix, clientId, 'active');
}

/** `<prefix>client/<cid>/command/<id>`: one shell line, never retained. */
export function commandTopic(prefix: string, clientId: string, commandId: string): string {
  return clientTopic(prefix, clientId, 'command', commandId);
}

/** `<prefix>client/<cid>/response/<id>`: the whole shell output. Subscribe before commanding. */
export function responseTopic(prefix: string, clientId: string, commandId: string): string {
  return clientTopic(prefix, clientId, 'response', commandId);
}

/** `<prefix>client/<cid>/request/metric`: payload = comma-separated patterns (3.3.006+). */
export function requestMetricTopic(prefix: string, clientId: string): string {
  return clientTopic(prefix, clientId, 'request', 'metric');
}

/** `<prefix>client/<cid>/request/config`: payload `configRequestPayload(param, instance)` (3.3.006+). */
export function requestConfigTopic(prefix: string, clientId: string): string {
  return clientTopic(prefix, clientId, 'request', 'config');
}

/** `vehicle`, `units.distance` → `vehicle/units.distance`, the `request/config` payload. */
export function configRequestPayload(param: string, instance: string): string {
  checkLevels([param, instance], 'config name');
  return `${param}/${instance}`;
}

/** The levels after `client/<cid>/config/` of the reply to a config request (dots → levels). */
export function configReplyLevels(param: string, instance: string): string[] {
  return [...param.split('.'), ...instance.split('.')];
}

/** `<prefix>client/<cid>/config/<param path>/<instance path>`, as the module answers. */
export function configReplyTopic(prefix: string, clientId: string, param: string, instance: string): string {
  return clientTopic(prefix, clientId, 'config', ...configReplyLevels(param, instance));
}

/** `<prefix>notify/<type>/<subtype path>` (the 3.3.005+ form, dots → levels). */
export function notifyTopic(prefix: string, type: NotifyType | 'data', subtype: string): string {
  checkPrefix(prefix);
  return `${prefix}notify/${type}/${metricToPath(subtype)}`;
}

/** `<prefix>notify/data/<subtype path>/<id>/<age>`. */
export function notifyDataTopic(prefix: string, subtype: string, id: string, age: string): string {
  checkLevels([id, age], 'notify/data topic');
  return `${notifyTopic(prefix, 'data', subtype)}/${id}/${age}`;
}

/** `<prefix>event/<name path>` (3.3.005+); the legacy form is `<prefix>event` with the name as payload. */
export function eventTopic(prefix: string, event: string): string {
  checkPrefix(prefix);
  return `${prefix}event/${metricToPath(event)}`;
}

/** What the module subscribes to after login, QoS 1 (§1.6). */
export function moduleSubscriptions(prefix: string): string[] {
  checkPrefix(prefix);
  return ['client/+/active', 'client/+/command/+', 'client/+/request/metric', 'client/+/request/config'].map(
    (filter) => prefix + filter,
  );
}

/** Everything under the vehicle's prefix, for a bridge's subscription (§8.5). */
export function vehicleFilter(prefix: string): string {
  checkPrefix(prefix);
  return `${prefix}#`;
}
