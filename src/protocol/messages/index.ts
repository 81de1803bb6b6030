import { type CapabilitiesRecord, decodeCapabilities, encodeCapabilities } from './capabilities.js';
import { isKnownCode, type KnownCode } from './catalogue.js';
import {
  type Command,
  type CommandResponse,
  decodeCommand,
  decodeCommandResponse,
  encodeCommand,
  encodeCommandResponse,
} from './command.js';
import { type EnvironmentRecord, environmentRecord } from './environment.js';
import { type FirmwareRecord, firmwareRecord } from './firmware.js';
import { type GeneratorRecord, generatorRecord } from './generator.js';
import {
  decodeGroupRelay,
  decodeGroupSubscription,
  decodeGroupUpdate,
  encodeGroupRelay,
  encodeGroupSubscription,
  encodeGroupUpdate,
  type GroupRelay,
  type GroupSubscription,
  type GroupUpdate,
} from './group.js';
import {
  type AckedHistoryRecord,
  decodeAckedHistory,
  decodeHistory,
  decodeHistoryAck,
  encodeAckedHistory,
  encodeHistory,
  encodeHistoryAck,
  type HistoryAck,
  type HistoryRecord,
} from './history.js';
import type { InvalidMessage } from './invalid.js';
import { type LocationRecord, locationRecord } from './location.js';
import {
  decodeParanoid,
  encodeParanoid,
  type ParanoidMessage,
  type ParanoidToken,
} from './paranoid-wrapper.js';
import {
  decodePush,
  decodePushSubscription,
  encodePush,
  encodePushSubscription,
  type PushNotification,
  type PushSubscription,
} from './push.js';
import {
  decodePeerCount,
  decodePing,
  decodePingAck,
  decodeServerVersion,
  decodeUpdateAge,
  encodePeerCount,
  encodePing,
  encodeServerVersion,
  encodeUpdateAge,
  type PeerCount,
  type Ping,
  type PingAck,
  type ServerVersion,
  type UpdateAge,
} from './simple.js';
import { type StatusRecord, statusRecord } from './status.js';
import { decodeTpms, encodeTpms, type TpmsLegacyRecord, type TpmsRecord, tpmsLegacyRecord } from './tpms.js';

export * from './capabilities.js';
export * from './catalogue.js';
export * from './command.js';
export * from './environment.js';
export * from './firmware.js';
export * from './generator.js';
export * from './group.js';
export * from './history.js';
export type { InvalidMessage } from './invalid.js';
export * from './location.js';
export * from './paranoid-wrapper.js';
export * from './push.js';
export * from './record.js';
export * from './simple.js';
export * from './status.js';
export * from './tpms.js';

export type StatusMessage = StatusRecord & { readonly kind: 'status' };
export type EnvironmentMessage = EnvironmentRecord & { readonly kind: 'environment' };
export type LocationMessage = LocationRecord & { readonly kind: 'location' };
export type FirmwareMessage = FirmwareRecord & { readonly kind: 'firmware' };
export type TpmsLegacyMessage = TpmsLegacyRecord & { readonly kind: 'tpms-legacy' };
export type GeneratorMessage = GeneratorRecord & { readonly kind: 'generator' };

/** A code this catalogue does not know (including `R`/`r` and an empty line, whose code is ''). */
export interface UnknownMessage {
  readonly code: string;
  readonly kind: 'unknown';
  readonly payload: string;
}

/** Every decoded message. Narrow on `kind` (`code` alone cannot exclude `UnknownMessage`). */
export type Message =
  | Ping
  | PingAck
  | Command
  | CommandResponse
  | EnvironmentMessage
  | ParanoidToken
  | ParanoidMessage
  | FirmwareMessage
  | ServerVersion
  | GroupSubscription
  | GroupUpdate
  | GroupRelay
  | HistoryRecord
  | AckedHistoryRecord
  | HistoryAck
  | LocationMessage
  | PushNotification
  | PushSubscription
  | StatusMessage
  | UpdateAge
  | CapabilitiesRecord
  | TpmsLegacyMessage
  | GeneratorMessage
  | TpmsRecord
  | PeerCount
  | InvalidMessage<KnownCode>
  | UnknownMessage;

/**
 * Who sent the line. Only `g` and `h` look different by direction: from the server, `g` carries a
 * vehicle id in front and `h` is a bare acknowledgement; from a car they are an update and a record.
 */
export type Origin = 'car' | 'app' | 'server';

/**
 * Decodes one decrypted line without its `MP-0 ` prefix: the code character followed by the
 * payload. Never throws; a known code with a malformed payload gives `kind: 'invalid'`.
 */
export function decodeMessage(line: string, origin: Origin = 'car'): Message {
  const code = line.charAt(0);
  const payload = line.slice(1);
  if (!isKnownCode(code)) return { code, kind: 'unknown', payload };
  const fromServer = origin === 'server';
  switch (code) {
    case 'A':
      return decodePing(payload);
    case 'a':
      return decodePingAck(payload);
    case 'C':
      return decodeCommand(payload);
    case 'c':
      return decodeCommandResponse(payload);
    case 'D':
      return { ...environmentRecord.decode(payload), kind: 'environment' };
    case 'E':
      return decodeParanoid(payload);
    case 'F':
      return { ...firmwareRecord.decode(payload), kind: 'firmware' };
    case 'f':
      return decodeServerVersion(payload);
    case 'G':
      return decodeGroupSubscription(payload);
    case 'g':
      return fromServer ? decodeGroupRelay(payload) : decodeGroupUpdate(payload);
    case 'H':
      return decodeHistory(payload);
    case 'h':
      return fromServer ? decodeHistoryAck(payload) : decodeAckedHistory(payload);
    case 'L':
      return { ...locationRecord.decode(payload), kind: 'location' };
    case 'P':
      return decodePush(payload);
    case 'p':
      return decodePushSubscription(payload);
    case 'S':
      return { ...statusRecord.decode(payload), kind: 'status' };
    case 'T':
      return decodeUpdateAge(payload);
    case 'V':
      return decodeCapabilities(payload);
    case 'W':
      return { ...tpmsLegacyRecord.decode(payload), kind: 'tpms-legacy' };
    case 'X':
      return { ...generatorRecord.decode(payload), kind: 'generator' };
    case 'Y':
      return decodeTpms(payload);
    case 'Z':
      return decodePeerCount(payload);
  }
}

/** The payload of a message, i.e. the line without its code character. */
export function encodePayload(message: Message): string {
  switch (message.kind) {
    case 'unknown':
    case 'invalid':
      return message.payload;
    case 'ping':
    case 'ping-ack':
      return encodePing(message);
    case 'command':
      return encodeCommand(message);
    case 'command-response':
      return encodeCommandResponse(message);
    case 'environment':
      return environmentRecord.encode(message);
    case 'paranoid-token':
    case 'paranoid-message':
      return encodeParanoid(message);
    case 'firmware':
      return firmwareRecord.encode(message);
    case 'server-version':
      return encodeServerVersion(message);
    case 'group-subscribe':
      return encodeGroupSubscription(message);
    case 'group-update':
      return encodeGroupUpdate(message);
    case 'group-relay':
      return encodeGroupRelay(message);
    case 'history':
      return encodeHistory(message);
    case 'history-with-ack':
      return encodeAckedHistory(message);
    case 'history-ack':
      return encodeHistoryAck(message);
    case 'location':
      return locationRecord.encode(message);
    case 'push':
      return encodePush(message);
    case 'push-subscription':
      return encodePushSubscription(message);
    case 'status':
      return statusRecord.encode(message);
    case 'update-age':
      return encodeUpdateAge(message);
    case 'capabilities':
      return encodeCapabilities(message);
    case 'tpms-legacy':
      return tpmsLegacyRecord.encode(message);
    case 'generator':
      return generatorRecord.encode(message);
    case 'tpms':
      return encodeTpms(message);
    case 'peers':
      return encodePeerCount(message);
  }
}

/** The whole line (code character + payload), ready for the `MP-0 ` prefix and encryption. */
export function encodeMessage(message: Message): string {
  return message.code + encodePayload(message);
}
