import { sessionKey } from './digest.js';
import { frameLine } from './framing.js';
import { ovmsCipher, type Rc4 } from './rc4.js';

/**
 * A decoded protocol message: `code` is the message code (one byte, e.g. 'S'), `payload` the bytes
 * after it. Payloads stay bytes end to end (WIRE.md §1 "Bytes, not text").
 */
export interface Message {
  code: string;
  payload: Buffer;
}

export type DecodeResult = { ok: true; message: Message } | { ok: false; error: string };

/** Turns received lines into messages and messages into lines to send, for one connection. */
export interface LineCodec {
  readonly scheme: 0 | 1;
  /** `line` is one received line without its terminator. */
  decode(line: Buffer): DecodeResult;
  /** Returns the complete line to write, terminator included. */
  encode(code: string, payload?: Uint8Array | string): Buffer;
}

const PREFIX = Buffer.from('MP-0 ', 'latin1');

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0b || byte === 0x0c || byte === 0x0d || byte === 0x0a;
}

function toPayload(payload: Uint8Array | string | undefined): Uint8Array {
  if (payload === undefined) return Buffer.alloc(0);
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
}

/**
 * Scheme 0: every line is base64(RC4("MP-0 " + code + payload)), with one RC4 state per direction,
 * both keyed with the session key and advanced past 1024 bytes (WIRE.md §2.2 steps 5-7).
 */
export class Scheme0Codec implements LineCodec {
  readonly scheme = 0 as const;
  private readonly rx: Rc4;
  private readonly tx: Rc4;

  constructor(key: Uint8Array) {
    this.rx = ovmsCipher(key);
    this.tx = ovmsCipher(key);
  }

  /** The codec of one side of a session, from the shared secret and both tokens. */
  static forSession(secret: string | Uint8Array, serverToken: string, clientToken: string): Scheme0Codec {
    return new Scheme0Codec(sessionKey(secret, serverToken, clientToken));
  }

  decode(line: Buffer): DecodeResult {
    const plain = this.rx.process(Buffer.from(line.toString('latin1'), 'base64'));
    // The reference server requires "MP-0", one whitespace character and a code character.
    if (plain.length < 6 || !plain.subarray(0, 4).equals(PREFIX.subarray(0, 4)) || !isSpace(plain[4]!)) {
      return { ok: false, error: 'line does not decrypt to an MP-0 message' };
    }
    return {
      ok: true,
      message: { code: String.fromCharCode(plain[5]!), payload: Buffer.from(plain.subarray(6)) },
    };
  }

  encode(code: string, payload?: Uint8Array | string): Buffer {
    const body = toPayload(payload);
    const plain = Buffer.allocUnsafe(PREFIX.length + 1 + body.length);
    PREFIX.copy(plain, 0);
    plain[PREFIX.length] = code.charCodeAt(0);
    plain.set(body, PREFIX.length + 1);
    this.tx.process(plain);
    return frameLine(plain.toString('base64'));
  }
}

/** Scheme 1 (server v3, meant for TLS): plain `<code><payload>` lines in both directions (WIRE.md §2.6). */
export class Scheme1Codec implements LineCodec {
  readonly scheme = 1 as const;

  decode(line: Buffer): DecodeResult {
    if (line.length < 1) return { ok: false, error: 'empty message' };
    return {
      ok: true,
      message: { code: String.fromCharCode(line[0]!), payload: Buffer.from(line.subarray(1)) },
    };
  }

  encode(code: string, payload?: Uint8Array | string): Buffer {
    const body = toPayload(payload);
    const plain = Buffer.allocUnsafe(1 + body.length);
    plain[0] = code.charCodeAt(0);
    plain.set(body, 1);
    return frameLine(plain);
  }
}
