import { digestB64, sessionKey } from '../../src/protocol/digest.js';
import { Scheme0Codec } from '../../src/protocol/line-codec.js';

/**
 * The secrets a test process used, and a scan of log lines for them. Node runs each test file in
 * its own process, so each process checks its own logs against its own secrets: no files to share,
 * no ordering between processes.
 *
 * Two kinds: literal values (passwords, car secrets, PINs, API tokens), found as substrings when
 * long enough not to occur by chance; and derived bytes (digests, session keys), found as whole
 * base64 or hex words, with or without padding, or as the byte list pino prints for a Buffer.
 */
export class SecretRegistry {
  private readonly literals = new Set<string>();
  private readonly derived = new Map<string, string>();

  /** Values shorter than this ('s1', 'pw', '1234') would match ordinary log text. */
  static readonly MIN_LITERAL = 6;

  literal(value: string | undefined, what = 'secret'): void {
    if (value && value.length >= SecretRegistry.MIN_LITERAL) this.literals.add(`${what}\u0000${value}`);
  }

  bytes(value: Uint8Array, what: string): void {
    const b = Buffer.from(value);
    this.derived.set(b.toString('base64').replace(/=+$/, ''), what);
    this.derived.set(b.toString('hex'), what);
  }

  /**
   * Set by a test that measures the test process's own heap (churn): recording sessions adds about
   * 1 KB per login to this registry, which would read as a leak.
   */
  paused = false;

  /** Everything a scheme-0 session derives from its secret and tokens. */
  session(secret: string | Uint8Array, serverToken: string, clientToken: string): void {
    if (this.paused) return;
    if (typeof secret === 'string') this.literal(secret, 'car secret');
    this.bytes(sessionKey(secret, serverToken, clientToken), 'session key');
    this.bytes(Buffer.from(digestB64(secret, serverToken), 'base64'), 'server digest');
    this.bytes(Buffer.from(digestB64(secret, clientToken), 'base64'), 'client digest');
  }

  get size(): number {
    return this.literals.size + this.derived.size;
  }

  /** The leaks found, as "<what> in: <line>". */
  scan(lines: Iterable<string>): string[] {
    const leaks: string[] = [];
    for (const line of lines) {
      for (const entry of this.literals) {
        const [what, value] = entry.split('\u0000') as [string, string];
        if (line.includes(value)) leaks.push(`${what} in: ${line}`);
      }
      // pino prints a Buffer as {"type":"Buffer","data":[1,2,...]}: read those back as hex too.
      const words = line.split(/[^A-Za-z0-9+/=]+/);
      for (const m of line.matchAll(/"data":\[([\d,]+)\]/g))
        words.push(Buffer.from(m[1]!.split(',').map(Number)).toString('hex'));
      for (const word of words) {
        const what = this.derived.get(word.replace(/=+$/, '')) ?? this.derived.get(word.toLowerCase());
        if (what) leaks.push(`${what} in: ${line}`);
      }
    }
    return leaks;
  }
}

export const testSecrets = new SecretRegistry();

let recording = false;

/**
 * Records every scheme-0 session this process opens, server and client side alike, by wrapping the
 * one place both sides derive their session (Scheme0Codec.forSession). Test processes only.
 */
export function recordSessions(registry = testSecrets): void {
  if (recording) return;
  recording = true;
  const forSession = Scheme0Codec.forSession.bind(Scheme0Codec);
  Scheme0Codec.forSession = (secret, serverToken, clientToken) => {
    registry.session(secret, serverToken, clientToken);
    return forSession(secret, serverToken, clientToken);
  };
}
