import net from 'node:net';
import { tokenFromBytes } from '../src/protocol/digest.js';
import { clientWelcomeLine, completeClientHandshake } from '../src/protocol/handshake.js';
import { parseServerWelcome } from '../src/protocol/welcome.js';
import { postLoginLines, preLoginLine, Rng } from './fuzz-lines.js';

/**
 * Fuzz sessions over raw sockets: each opens one connection, sends random or mutated lines in one
 * of the protocol's states (before login, after a real login, byte by byte), and ends. Every wait
 * is bounded, so a server that stops answering makes the run fail instead of hang.
 */

export interface FuzzTarget {
  host: string;
  port: number;
  maxLineLength: number;
  /** Vehicles the fuzzer may log in as (never the well-behaved probe's). */
  vehicles: readonly { vehicleId: string; secret: string }[];
  /** Vehicle ids for wrong-digest logins: a small set, so the failure throttle stays small too. */
  badVehicles: readonly string[];
  /** How long the server gives a connection to log in (silent sessions wait that long). */
  loginTimeoutMs: number;
}

export interface FuzzCounts {
  lines: number;
  bytes: number;
  sessions: number;
  preLogin: number;
  postLogin: number;
  trickle: number;
  silent: number;
  /** Sessions whose fatal line the server answered by closing, as it must. */
  closedOnFatal: number;
  /** Sessions that ended on a wait that ran out (the server did not answer or close in time). */
  stuck: number;
}

export function emptyCounts(): FuzzCounts {
  return {
    lines: 0,
    bytes: 0,
    sessions: 0,
    preLogin: 0,
    postLogin: 0,
    trickle: 0,
    silent: 0,
    closedOnFatal: 0,
    stuck: 0,
  };
}

const WAIT_MS = 10_000;
const CRLF = Buffer.from('\r\n');

class Session {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  private head = Buffer.alloc(0);
  private onHead: ((line: string | undefined) => void) | undefined;
  isClosed = false;

  constructor(target: FuzzTarget) {
    this.socket = net.connect({ host: target.host, port: target.port });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk: Buffer) => {
      // Only the first line (the server's welcome reply) matters; the rest is read and dropped.
      if (!this.onHead) return;
      this.head = Buffer.concat([this.head, chunk]);
      const lf = this.head.indexOf(0x0a);
      if (lf >= 0) this.takeHead(this.head.subarray(0, lf).toString('latin1').replace(/\r$/, ''));
    });
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.isClosed = true;
        this.takeHead(undefined);
        resolve();
      }),
    );
  }

  private takeHead(line: string | undefined): void {
    const f = this.onHead;
    this.onHead = undefined;
    f?.(line);
  }

  connected(): Promise<boolean> {
    return new Promise((resolve) => {
      this.socket.once('connect', () => resolve(true));
      void this.closed.then(() => resolve(false));
    });
  }

  /** The server's first line, or undefined when it closed or took too long. */
  firstLine(): Promise<string | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.takeHead(undefined), WAIT_MS);
      this.onHead = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }

  /** Writes and waits for the socket to drain, so a fast fuzzer never buffers without bound. */
  write(data: Buffer, counts: FuzzCounts): Promise<void> {
    counts.bytes += data.length;
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.socket.write(data)) resolve();
      else {
        const done = () => resolve();
        this.socket.once('drain', done);
        void this.closed.then(done);
      }
    });
  }

  /** Waits for the server to close; false if it did not within `ms`. */
  async waitClosed(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      this.closed.then(() => true),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
    clearTimeout(timer);
    return closed;
  }

  /** Ends the connection as a client might: politely, or with a reset. */
  async finish(rng: Rng): Promise<boolean> {
    if (rng.chance(0.5)) this.socket.end();
    else this.socket.destroy();
    return (await this.waitClosed(WAIT_MS)) || this.abandon();
  }

  /** Gives up on a server that did not answer or close in time; the session counts as stuck. */
  abandon(): false {
    this.socket.destroy();
    return false;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends 1-3 lines before any login: each bad first line must close the connection. */
async function preLogin(rng: Rng, target: FuzzTarget, counts: FuzzCounts): Promise<boolean> {
  const s = new Session(target);
  if (!(await s.connected())) return false;
  const n = 1 + rng.int(3);
  const lines: Buffer[] = [];
  for (let i = 0; i < n; i++) lines.push(preLoginLine(rng, target.maxLineLength, target.badVehicles), CRLF);
  counts.lines += n;
  counts.preLogin++;
  await s.write(Buffer.concat(lines), counts);
  return s.finish(rng);
}

/** A real scheme-0 login, then bursts of fuzzed messages, maybe ending on a line that must close it. */
async function postLogin(
  rng: Rng,
  target: FuzzTarget,
  counts: FuzzCounts,
  budget: () => number,
): Promise<boolean> {
  const vehicle = rng.pick(target.vehicles);
  const clientType = rng.pick(['C', 'C', 'A', 'B'] as const);
  const clientToken = tokenFromBytes(Buffer.from(rng.bytes(22)));
  const s = new Session(target);
  if (!(await s.connected())) return false;
  const reply = s.firstLine();
  await s.write(Buffer.from(`${clientWelcomeLine({ ...vehicle, clientType, clientToken })}\r\n`), counts);
  counts.lines++;
  const line = await reply;
  if (line === undefined) return s.isClosed || s.abandon(); // closed: a duplicate login, or the server stopping
  const done = completeClientHandshake(vehicle.secret, clientToken, parseServerWelcome(line));
  if (!done.ok) throw new Error(`fuzz login failed: ${done.error} (${line})`);
  counts.postLogin++;
  let left = Math.min(budget(), 1 + rng.int(rng.chance(0.1) ? 2000 : 300));
  while (left > 0 && !s.isClosed) {
    const burst: Buffer[] = [];
    let fatal = false;
    for (let n = 1 + rng.int(50); n > 0 && left > 0 && !fatal; n--, left--) {
      const l = postLoginLines(rng, done.codec, target.maxLineLength);
      for (const line of l.lines) burst.push(line, CRLF);
      fatal = l.fatal;
      counts.lines += l.lines.length;
    }
    await s.write(Buffer.concat(burst), counts);
    if (fatal) {
      if (!(await s.waitClosed(WAIT_MS))) return s.abandon();
      counts.closedOnFatal++;
      return true;
    }
  }
  return s.finish(rng);
}

/** One line a few bytes at a time, as a slow or hostile link delivers it. */
async function trickle(rng: Rng, target: FuzzTarget, counts: FuzzCounts): Promise<boolean> {
  const s = new Session(target);
  if (!(await s.connected())) return false;
  const vehicle = rng.pick(target.vehicles);
  const line = rng.chance(0.5)
    ? Buffer.from(
        clientWelcomeLine({
          ...vehicle,
          clientType: 'A',
          clientToken: tokenFromBytes(Buffer.from(rng.bytes(22))),
        }),
      )
    : preLoginLine(rng, target.maxLineLength, target.badVehicles);
  const data = Buffer.concat([line, CRLF]);
  counts.lines++;
  counts.trickle++;
  let at = 0;
  for (let piece = 0; piece < 40 && at < data.length && !s.isClosed; piece++) {
    const n = 1 + rng.int(8);
    await s.write(data.subarray(at, at + n), counts);
    at += n;
    await pause(1 + rng.int(10));
  }
  if (at < data.length) await s.write(data.subarray(at), counts);
  return s.finish(rng);
}

/** Connects and says nothing: the login timeout must close it. */
async function silent(target: FuzzTarget, counts: FuzzCounts): Promise<boolean> {
  const s = new Session(target);
  if (!(await s.connected())) return false;
  counts.silent++;
  return (await s.waitClosed(target.loginTimeoutMs + WAIT_MS)) || s.abandon();
}

/**
 * Runs fuzz sessions, `parallel` at a time, until `lines` lines were sent or the deadline passed.
 * Throws when a session could not even connect, which means the server is down.
 */
export async function fuzz(
  target: FuzzTarget,
  opts: { lines: number; parallel: number; seed: number; deadline: number; silent?: boolean },
  counts: FuzzCounts = emptyCounts(),
): Promise<FuzzCounts> {
  const budget = () => opts.lines - counts.lines;
  const worker = async (index: number) => {
    const rng = new Rng(opts.seed * 1000 + index);
    while (budget() > 0 && Date.now() < opts.deadline) {
      const r = rng.next();
      counts.sessions++;
      const ok =
        r < 0.3
          ? await preLogin(rng, target, counts)
          : r < 0.92
            ? await postLogin(rng, target, counts, budget)
            : r < 0.995 || opts.silent === false
              ? await trickle(rng, target, counts)
              : await silent(target, counts);
      if (!ok) counts.stuck++;
    }
  };
  await Promise.all(Array.from({ length: opts.parallel }, (_, i) => worker(i)));
  return counts;
}
