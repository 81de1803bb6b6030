import { digestB64 } from '../src/protocol/digest.js';
import { clientWelcomeLine } from '../src/protocol/handshake.js';
import type { LineCodec } from '../src/protocol/line-codec.js';

/**
 * What the fuzzer sends: random and mutated protocol lines, from a seeded generator so a failing
 * run can be replayed with its seed. Lines are returned without their terminator.
 */

/** mulberry32: small, fast, and good enough to pick test inputs. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  /** Printable ASCII with commas, minus signs and digits over-represented. */
  text(n: number): string {
    const alphabet = '0123456789,,,,--.. abcdefXYZ*:;=+/';
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

/** Lengths: mostly short, sometimes near or over a limit. */
function length(rng: Rng, maxLineLength: number): number {
  const r = rng.next();
  if (r < 0.7) return rng.int(80);
  if (r < 0.9) return rng.int(1200);
  if (r < 0.97) return maxLineLength - 8 + rng.int(16);
  return maxLineLength + rng.int(3 * maxLineLength);
}

const NUMBERS = [
  '0',
  '-1',
  '1',
  '2147483648',
  '-9999999999999',
  '1e308',
  'NaN',
  '',
  ' ',
  '0x10',
  '00',
  '3.5',
];

function csv(rng: Rng, fields: number): string {
  const out: string[] = [];
  for (let i = 0; i < fields; i++) out.push(rng.chance(0.5) ? rng.pick(NUMBERS) : rng.text(rng.int(12)));
  return out.join(',');
}

/** Payloads shaped like each code's real ones, then bent. */
function payloadFor(rng: Rng, code: string, maxLineLength: number): string | Buffer {
  if (rng.chance(0.1)) return rng.bytes(length(rng, maxLineLength) >> 1);
  switch (code) {
    case 'C':
      return `${rng.pick(['7', '1', '3', '5', '30', '31', '32', '40', '49', '-1', 'x', ''])},${csv(rng, rng.int(4))}`;
    case 'c':
      return `${rng.pick(['7', '1', '3', '30', 'x'])},${rng.pick(['0', '1', '2', '3', ''])},${rng.text(rng.int(40))}`;
    case 'h':
    case 'H':
      return `${rng.int(100_000)},${rng.pick(NUMBERS)},${rng.pick(['*-LOG-Trip', '*-OVM-Utilisation', rng.text(8), ''])},${rng.pick(NUMBERS)},${rng.pick(['86400', '0', '-5', '99999999999'])},${csv(rng, rng.int(8))}`;
    case 'E':
      return rng.chance(0.3)
        ? `T${rng.text(rng.int(30))}`
        : `M${rng.pick(['S', 'c', 'C', 'A', 'h', 'D', 'x'])}${rng.text(rng.int(60))}`;
    case 'g':
    case 'G':
      return `${rng.pick(['grp', 'GRP', '', ',', rng.text(6)])},${csv(rng, rng.int(6))}`;
    case 'p':
      return `${rng.pick(['*', 'simple', 'ovms', ''])},${rng.pick(['apns', 'gcm', 'mail', ''])},${rng.pick(['production', 'x'])},${rng.pick(['FUZZ0', 'WELL', 'NOPE'])},${rng.text(8)},${rng.text(12)}`;
    case 'P':
      return `${rng.pick(['A', 'E', 'I', ''])}${rng.text(rng.int(60))}`;
    default:
      return csv(rng, rng.int(rng.chance(0.1) ? 300 : 40));
  }
}

const CODES = 'SDLFWYPcChHEgGpTZaAfVXxzd'.split('');

export interface FuzzLine {
  lines: Buffer[];
  /** Expected to end the session (the server closes after an undecodable or over-long line). */
  fatal: boolean;
}

/**
 * Lines for a logged-in session: mostly well-encrypted messages with random codes and payloads
 * (which reach the handlers), sometimes lines that break the cipher stream or the framing.
 */
export function postLoginLines(rng: Rng, codec: LineCodec, maxLineLength: number): FuzzLine {
  const r = rng.next();
  const encode = (code: string, payload: string | Buffer) => codec.encode(code, payload).subarray(0, -2);
  if (r < 0.9) {
    const code = rng.chance(0.95) ? rng.pick(CODES) : String.fromCharCode(rng.int(256));
    return { lines: [encode(code, payloadFor(rng, code, maxLineLength))], fatal: false };
  }
  if (r < 0.93) {
    // Truncated base64 still decrypts (its prefix is intact) but leaves the two RC4 streams out of
    // step, so the line after it can no longer be read: that one must close the connection.
    // Cutting 4+ characters always loses a byte (cutting only padding would lose none).
    const good = encode(rng.pick(CODES), rng.text(rng.int(100)));
    return { lines: [good.subarray(0, rng.int(good.length - 3)), encode('S', rng.text(20))], fatal: true };
  }
  if (r < 0.95) return { lines: [Buffer.from(rng.text(8 + rng.int(60)).replace(/\s/g, 'A'))], fatal: true }; // wrong cipher
  if (r < 0.98) return { lines: [noLf(rng.bytes(1 + rng.int(200)))], fatal: true }; // binary
  return { lines: [Buffer.alloc(maxLineLength + 1 + rng.int(maxLineLength), 0x41)], fatal: true }; // huge
}

/** Binary without LF (an LF would just split it into more lines). */
function noLf(b: Buffer): Buffer {
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) b[i] = 0x0b;
  return b;
}

/** A first line of a connection: broken welcomes, wrong digests, bad schemes, binary, huge lines. */
export function preLoginLine(rng: Rng, maxLineLength: number, badVehicles: readonly string[]): Buffer {
  const token = rng.text(22).replace(/[\s,]/g, 'Q');
  const vid = rng.pick(badVehicles);
  const type = rng.pick(['C', 'A', 'B', 'S', 'X', '']);
  switch (rng.int(10)) {
    case 0:
      return noLf(rng.bytes(1 + rng.int(300)));
    case 1:
      return Buffer.alloc(length(rng, maxLineLength), 0x4d);
    case 2:
      return Buffer.from(`MP-${type} 0 ${token} ${digestB64('wrong', token)} ${vid}`);
    case 3:
      return Buffer.from(`MP-${type} ${rng.pick(['0', '1', '2', '', '00', '-1'])} ${rng.text(rng.int(40))}`);
    case 4:
      return Buffer.from(
        `MP-${type} 1 ${rng.text(10).replace(/\s/g, '_')} ${rng.text(10).replace(/\s/g, '_')} ${vid}`,
      );
    case 5:
      return Buffer.from(`AP-C ${rng.pick(['0', '1', ''])} ${rng.text(rng.int(30))}`);
    case 6: {
      const w = clientWelcomeLine({ secret: 'wrong', clientType: 'C', vehicleId: vid, clientToken: token });
      return Buffer.from(w.slice(0, rng.int(w.length)));
    }
    case 7:
      return Buffer.from(`MP-C 0 ${token} ${'A'.repeat(rng.int(40))}== ${vid} ${rng.text(rng.int(100))}`);
    case 8:
      return Buffer.from(`GET ${rng.pick(['/apiv2', '/', '/x'])} HTTP/1.1\r\nHost: x\r\n${rng.text(20)}\r\n`);
    default:
      return Buffer.from(rng.text(1 + rng.int(120)));
  }
}
