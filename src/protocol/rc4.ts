/**
 * RC4 stream cipher, written here because Node 20's OpenSSL 3 refuses RC4 without the legacy
 * provider. One instance is one direction of a connection: it keeps its stream position between
 * calls, so lines must be processed in the order they travel (WIRE.md §2.2 step 6).
 */
export class Rc4 {
  private readonly s = new Uint8Array(256);
  private i = 0;
  private j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
    const s = this.s;
    for (let n = 0; n < 256; n++) s[n] = n;
    let j = 0;
    for (let n = 0; n < 256; n++) {
      const sn = s[n]!;
      j = (j + sn + key[n % key.length]!) & 0xff;
      s[n] = s[j]!;
      s[j] = sn;
    }
  }

  /** Advances the keystream without output (the protocol discards the first 1024 bytes). */
  skip(count: number): this {
    const s = this.s;
    let { i, j } = this;
    for (let n = 0; n < count; n++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      s[i] = s[j]!;
      s[j] = si;
    }
    this.i = i;
    this.j = j;
    return this;
  }

  /** XORs `data` with the next keystream bytes in place and returns it. */
  process<T extends Uint8Array>(data: T): T {
    const s = this.s;
    let { i, j } = this;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      data[n]! ^= s[(si + sj) & 0xff]!;
    }
    this.i = i;
    this.j = j;
    return data;
  }
}

/** Number of keystream bytes every OVMS cipher throws away before use. */
export const RC4_DISCARD = 1024;

/** A cipher keyed with `key` that has already discarded the protocol's 1024 bytes. */
export function ovmsCipher(key: Uint8Array): Rc4 {
  return new Rc4(key).skip(RC4_DISCARD);
}
