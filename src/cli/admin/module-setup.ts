import { quoteArgument } from '../../protocol/v3/index.js';

/**
 * What to enter in an OVMS module for a new vehicle, for both protocols: the firmware's own config
 * parameters (`server.v2 server`, `password server.v2`, `server.v3 user`, `server.v3 port`,
 * `server.v3 tls`, `server.v3 topic.prefix`, `auto server.v3`), ready to paste into the module's
 * shell. Secrets are quoted as the module shell reads them. Pure: lines of text.
 */

/** The firmware's default ports (V3.md §1.1, WIRE.md §1). */
export const MODULE_V2_PORT = 6867;
export const MODULE_V2_TLS_PORT = 6870;
export const MODULE_MQTT_PORT = 1883;
export const MODULE_MQTTS_PORT = 8883;

/** Where v3 modules connect, and how they may log in. */
export interface ModuleBroker {
  host: string;
  port: number;
  /** The broker only speaks TLS on `port` (an `mqtts://` external broker). */
  tls: boolean;
  /** The embedded broker's TLS port, opened once the server has tls.cert and tls.key. */
  tlsPort?: number;
  /** The embedded broker also takes vehicle id + vehicle secret (an external one only owners). */
  vehicleLogin: boolean;
}

export interface ModuleSetup {
  vehicleId: string;
  owner: string;
  secret: string;
  /** The host name modules reach the server at. */
  host: string;
  v2Port: number;
  v2TlsPort: number;
  /** `undefined`: protocol v3 is off (no embedded broker, no mqtt.url). */
  mqtt: ModuleBroker | undefined;
}

function quoted(value: string, where: string): string {
  return quoteArgument(value) ?? `<the secret: it holds both " and ', so enter it on ${where}>`;
}

const indent = (lines: string[]) => lines.map((line) => `  ${line}`);

function v2Lines(s: ModuleSetup): string[] {
  const tlsPort = s.v2TlsPort === MODULE_V2_TLS_PORT ? '' : ` and config set server.v2 port ${s.v2TlsPort}`;
  return indent([
    `config set vehicle id ${s.vehicleId}`,
    `config set server.v2 server ${s.host}`,
    ...(s.v2Port === MODULE_V2_PORT ? [] : [`config set server.v2 port ${s.v2Port}`]),
    `config set password server.v2 ${quoted(s.secret, 'the web page Config → Server V2')}`,
    'config set auto server.v2 yes',
    'server v2 start',
    `With TLS (once the server has tls.cert and tls.key): config set server.v2 tls yes${tlsPort}`,
  ]);
}

function v3Lines(s: ModuleSetup, b: ModuleBroker): string[] {
  const prefix = `ovms/${s.owner}/${s.vehicleId}/`;
  const tls =
    b.tlsPort === undefined
      ? undefined
      : `config set server.v3 tls yes and config set server.v3 port ${b.tlsPort}`;
  return indent([
    `config set vehicle id ${s.vehicleId}`,
    `config set server.v3 server ${b.host}`,
    `config set server.v3 user ${s.owner}`,
    'config set password server.v3 "OWNER PASSWORD or a token with the mqtt right"',
    `config set server.v3 port ${b.port}`,
    ...(b.tls ? ['config set server.v3 tls yes'] : []),
    'config set auto server.v3 yes',
    'server v3 start',
    ...(tls ? [`With TLS (once the server has tls.cert and tls.key): ${tls}`] : []),
    `Only if the module's vehicle id is not exactly ${s.vehicleId}: config set server.v3 topic.prefix ${prefix}`,
    ...(b.vehicleLogin
      ? [
          `Or log in as the vehicle: config set server.v3 user ${s.vehicleId}, config set password server.v3 ` +
            `${quoted(s.secret, 'the web page Config → Server V3')} and config set server.v3 topic.prefix ${prefix}`,
        ]
      : []),
  ]);
}

export function moduleSetupLines(s: ModuleSetup): string[] {
  return [
    'Set up the module in its shell (or its web pages Config → Server V2 / Server V3), with either protocol:',
    '',
    'Protocol v2:',
    ...v2Lines(s),
    '',
    'Protocol v3 (MQTT):',
    ...(s.mqtt ? v3Lines(s, s.mqtt) : ['  off on this server (mqtt.port is 0 and mqtt.url is not set)']),
  ];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Where v3 modules connect: this server's embedded broker (`mqtt.port`, TLS on `mqtt.tls_port`), or
 * with `mqtt.url` that broker (its host, unless it is a loopback address only this machine reaches).
 */
export function moduleBroker(
  host: string,
  mqtt: { url: string; port: number; tlsPort: number },
): ModuleBroker | undefined {
  if (mqtt.url === '') {
    if (mqtt.port === 0) return undefined;
    return {
      host,
      port: mqtt.port,
      tls: false,
      ...(mqtt.tlsPort === 0 ? {} : { tlsPort: mqtt.tlsPort }),
      vehicleLogin: true,
    };
  }
  const url = new URL(mqtt.url);
  const tls = url.protocol === 'mqtts:' || url.protocol === 'ssl:' || url.protocol === 'wss:';
  // Modules speak MQTT over TCP only: a WebSocket URL's port is not theirs.
  const tcp = url.protocol !== 'ws:' && url.protocol !== 'wss:';
  return {
    host: LOOPBACK.has(url.hostname) ? host : url.hostname,
    port: tcp && url.port !== '' ? Number(url.port) : tls ? MODULE_MQTTS_PORT : MODULE_MQTT_PORT,
    tls,
    vehicleLogin: false,
  };
}
