import { digestB64, hmacMd5 } from './digest.js';
import { ovmsCipher } from './rc4.js';

/**
 * Auto-provisioning records for legacy PIC modules (WIRE.md §2.7). digest = HMAC-MD5(secret, token)
 * where the secret is usually the SIM ICCID; the record is RC4-encrypted with the raw digest itself
 * as key (after the 1024-byte discard) and base64-encoded. The record is the module parameters #0,
 * #1, ... separated by spaces, with '-' for an empty value.
 */

export function formatProvisionRecord(params: readonly string[]): string {
  return params.map((p) => (p === '' ? '-' : p)).join(' ');
}

export function parseProvisionRecord(record: string): string[] {
  return record.split(' ').map((p) => (p === '-' ? '' : p));
}

export interface ProvisionBlob {
  token: string;
  /** Unpadded 22-character digest, as the reference generator stores it (PIC compares 22 chars). */
  digest: string;
  /** base64 of the encrypted record. */
  record: string;
}

export function encryptProvision(secret: string, token: string, recordPlaintext: string): ProvisionBlob {
  const key = hmacMd5(secret, token);
  const record = Buffer.from(ovmsCipher(key).process(Buffer.from(recordPlaintext, 'utf8'))).toString(
    'base64',
  );
  return { token, digest: digestB64(secret, token).replace(/=+$/, ''), record };
}

/** What the module does: check the digest with its own secret, then decrypt. */
export function decryptProvision(
  secret: string,
  blob: ProvisionBlob,
): { ok: true; record: string } | { ok: false; error: string } {
  const expected = digestB64(secret, blob.token);
  if (blob.digest.slice(0, 22) !== expected.slice(0, 22)) return { ok: false, error: 'digest mismatch' };
  const key = hmacMd5(secret, blob.token);
  return {
    ok: true,
    record: Buffer.from(ovmsCipher(key).process(Buffer.from(blob.record, 'base64'))).toString('utf8'),
  };
}
