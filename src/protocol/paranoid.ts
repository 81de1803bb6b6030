import { hmacMd5 } from './digest.js';
import { ovmsCipher } from './rc4.js';

/**
 * Paranoid mode payloads (WIRE.md §5): the car wraps a message as `EM<code><payload>` where
 * payload = base64(RC4(HMAC-MD5(paranoid secret, ptoken), discard 1024, data)), with a fresh cipher
 * for every message. The server never needs this (it relays paranoid traffic opaquely); clients and
 * tests do.
 */
export function paranoidKey(secret: string, ptoken: string): Buffer {
  return hmacMd5(secret, ptoken);
}

export function encryptParanoid(secret: string, ptoken: string, data: Uint8Array | string): string {
  const bytes = Buffer.from(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  return Buffer.from(ovmsCipher(paranoidKey(secret, ptoken)).process(bytes)).toString('base64');
}

export function decryptParanoid(secret: string, ptoken: string, payload: string): Buffer {
  return Buffer.from(ovmsCipher(paranoidKey(secret, ptoken)).process(Buffer.from(payload, 'base64')));
}
