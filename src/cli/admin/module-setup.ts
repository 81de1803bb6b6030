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

export interface ModuleSetup {
  vehicleId: string;
  owner: string;
  secret: string;
  /** The host name modules reach the server at. */
  host: string;
  v2Port: number;
  /** Where v3 modules connect: the embedded broker, or the external one of `mqtt.url`. */
  mqtt: { host: string; port: number; tls: boolean };
}

function quoted(value: string, where: string): string {
  return quoteArgument(value) ?? `<the secret: it holds both " and ', so enter it on ${where}>`;
}

export function moduleSetupLines(s: ModuleSetup): string[] {
  const v2 = [
    `config set vehicle id ${s.vehicleId}`,
    `config set server.v2 server ${s.host}`,
    ...(s.v2Port === MODULE_V2_PORT ? [] : [`config set server.v2 port ${s.v2Port}`]),
    `config set password server.v2 ${quoted(s.secret, 'the web page Config → Server V2')}`,
    'config set auto server.v2 yes',
  ];
  const mqttPort = s.mqtt.tls ? MODULE_MQTTS_PORT : MODULE_MQTT_PORT;
  const v3 = [
    `config set vehicle id ${s.vehicleId}`,
    `config set server.v3 server ${s.mqtt.host}`,
    `config set server.v3 user ${s.owner}`,
    'config set password server.v3 "OWNER PASSWORD or a token with the mqtt right"',
    `config set server.v3 port ${s.mqtt.port}`,
    ...(s.mqtt.tls ? ['config set server.v3 tls yes'] : []),
    'config set auto server.v3 yes',
  ];
  return [
    'Set up the module in its shell (or its web pages Config → Server V2 / Server V3), with either protocol:',
    '',
    'Protocol v2:',
    ...v2.map((line) => `  ${line}`),
    '  server v2 start',
    `  With TLS (port ${MODULE_V2_TLS_PORT}, once the server has tls.cert and tls.key): config set server.v2 tls yes`,
    '',
    'Protocol v3 (MQTT):',
    ...v3.map((line) => `  ${line}`),
    '  server v3 start',
    ...(s.mqtt.tls || s.mqtt.port !== mqttPort
      ? []
      : [`  With TLS: config set server.v3 tls yes and config set server.v3 port ${MODULE_MQTTS_PORT}`]),
    `  Only if the module's vehicle id is not exactly ${s.vehicleId}: config set server.v3 topic.prefix ovms/${s.owner}/${s.vehicleId}/`,
  ];
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Where v3 modules connect: this server's embedded broker on 1883, or with `mqtt.url` that
 * broker (its host, unless it is the loopback address only this machine can reach).
 */
export function moduleBroker(host: string, mqttUrl: string): ModuleSetup['mqtt'] {
  if (mqttUrl === '') return { host, port: MODULE_MQTT_PORT, tls: false };
  const url = new URL(mqttUrl);
  const tls = url.protocol === 'mqtts:' || url.protocol === 'ssl:' || url.protocol === 'wss:';
  // Modules speak MQTT over TCP only: a WebSocket URL's port is not theirs.
  const tcp = url.protocol !== 'ws:' && url.protocol !== 'wss:';
  return {
    host: LOOPBACK.has(url.hostname) ? host : url.hostname,
    port: tcp && url.port !== '' ? Number(url.port) : tls ? MODULE_MQTTS_PORT : MODULE_MQTT_PORT,
    tls,
  };
}
