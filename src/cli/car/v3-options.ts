import { prefixProblem } from '../../protocol/v3/index.js';
import { parseServer, readCaFile, usageError } from '../app/connection.js';
import { type CarFlags, identityOf, parseSeed, positive } from './car-flags.js';
import type { V3CarOptions } from './v3-simulator.js';

/** The MQTT ports a v3 module uses by default (V3.md §1.1). */
export const MQTT_PORT = 1883;
export const MQTTS_PORT = 8883;

/**
 * `--server` for v3: `mqtt://host[:port]`, `mqtts://host[:port]`, or `host[:port]` (TLS with
 * `--tls`). Credentials in the URL are refused: they belong in --user and --password/--token.
 */
export function mqttUrl(server: string | undefined, tls: boolean): string {
  const text = server ?? '127.0.0.1';
  const scheme = /^(mqtts?):\/\/(.*)$/i.exec(text);
  if (!scheme && /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw usageError(`invalid --server "${text}": expected mqtt://HOST:PORT or mqtts://HOST:PORT`);
  }
  const secure = scheme ? scheme[1]!.toLowerCase() === 'mqtts' : tls;
  const rest = (scheme ? scheme[2]! : text).replace(/\/$/, '');
  if (rest.includes('@'))
    throw usageError('put the user name and password in --user and --password, not --server');
  const { host, port } = parseServer(rest, secure ? MQTTS_PORT : MQTT_PORT);
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${secure ? 'mqtts' : 'mqtt'}://${hostPart}:${port}`;
}

/** The simulated v3 module's options from `ovms car --protocol v3` flags; usage errors for gaps. */
export function v3CarOptions(flags: CarFlags): V3CarOptions {
  if (flags.ws) throw usageError('--ws is not for v3: modules speak MQTT over TCP or TLS only');
  if (!flags.id) throw usageError('missing --id VEHICLEID (or OVMS_VEHICLE)');
  if (!flags.user) throw usageError('missing --user OWNER (or OVMS_USER): the MQTT user name');
  if (flags.password && flags.token) throw usageError('give --password or --token, not both');
  const password = flags.token ?? flags.password;
  if (!password) throw usageError('missing --password PW or --token TOKEN (or OVMS_PASSWORD / OVMS_TOKEN)');
  if (flags.prefix !== undefined) {
    const problem = prefixProblem(flags.prefix);
    if (problem) throw usageError(`invalid --prefix "${flags.prefix}": ${problem}`);
  }
  const url = mqttUrl(flags.server, flags.tls === true);
  const ca = readCaFile(flags.ca);
  return {
    url,
    user: flags.user,
    password,
    vehicleId: flags.id,
    ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
    tls: { ...(ca ? { ca } : {}), rejectUnauthorized: !flags.insecure },
    pin: flags.pin,
    speedUp: positive('--speed-up', flags.speedUp),
    seed: parseSeed(flags.seed),
    scenario: flags.scenario,
    intervalIdle: positive('--interval-idle', flags.intervalIdle),
    ...(flags.intervalConnected !== undefined
      ? { intervalConnected: positive('--interval-connected', flags.intervalConnected) }
      : {}),
    identity: identityOf(flags),
  };
}
