import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { TestContext } from 'node:test';
import { type Harness, startServer } from '../helpers/harness.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';
import { D_PAYLOAD, L_PAYLOAD, S_PAYLOAD, W_PAYLOAD, Y_PAYLOAD } from '../http/fixtures.js';

/**
 * What the contract tests share: a server with the defaults users get (rate limits on) and HTTPS with a
 * test certificate, a car that has sent real messages over protocol v2 and stays connected, and a
 * plain HTTP(S) client that sends exactly the headers and bodies a client sends: no Origin, no
 * Sec-Fetch-Site, and a cookie only when the client keeps one.
 */

export const VEHICLE = 'DEMO';
export const CAR_SECRET = 'car-secret';
export const OWNER = { username: 'owner', password: 'owner-password' };

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface Request {
  method?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** One HTTP(S) endpoint of the test server; `cookies` is the client's jar, when it keeps one. */
export class Wire {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly port: number,
    private readonly tls: { ca: Buffer } | undefined,
    private readonly keepsCookies: boolean,
  ) {}

  async send(path: string, req: Request = {}): Promise<Reply> {
    const qs = new URLSearchParams(req.query ?? {}).toString();
    const headers: Record<string, string> = { ...req.headers };
    if (this.keepsCookies && this.cookies.size > 0)
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body;
    if (body) headers['content-length'] = String(body.length);
    const options = {
      host: '127.0.0.1',
      port: this.port,
      method: req.method ?? 'GET',
      path: `${path}${qs ? `?${qs}` : ''}`,
      headers,
      agent: false as const,
      ...(this.tls ? { ca: this.tls.ca, servername: 'localhost' } : {}),
    };
    const reply = await new Promise<Reply>((resolve, reject) => {
      const r = (this.tls ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(body);
    });
    if (this.keepsCookies) {
      for (const line of reply.headers['set-cookie'] ?? []) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
      }
    }
    return reply;
  }
}

/** The body as JSON, after checking the status and the JSON content type. */
export function json(reply: Reply, status = 200): unknown {
  assert.equal(reply.status, status, reply.text);
  assert.match(String(reply.headers['content-type']), /^application\/json/);
  return JSON.parse(reply.text);
}

export function object(value: unknown): Record<string, unknown> {
  assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `an object: ${value}`);
  return value as Record<string, unknown>;
}

// ---- field checks: a renamed field or a changed JSON type fails them ------------------------------

/** A JSON string holding a decimal number (Go's `,string` float64, Python's float()). */
export function numericString(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  assert.equal(typeof v, 'string', `${key} is a JSON string (got ${JSON.stringify(v)})`);
  assert.match(v as string, /^-?\d+(\.\d+)?$/, `${key} holds a number`);
  return Number(v);
}

/** A JSON string holding an integer (Go's strconv.ParseInt, Go's `,string` int64). */
export function integerString(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  assert.equal(typeof v, 'string', `${key} is a JSON string (got ${JSON.stringify(v)})`);
  assert.match(v as string, /^-?\d+$/, `${key} holds an integer`);
  return Number(v);
}

/** A JSON number without a fraction (Go's int, which refuses "4" and 4.5). */
export function integer(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  assert.ok(
    typeof v === 'number' && Number.isInteger(v),
    `${key} is a JSON integer (got ${JSON.stringify(v)})`,
  );
  return v as number;
}

export function string(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  assert.equal(typeof v, 'string', `${key} is a JSON string (got ${JSON.stringify(v)})`);
  return v as string;
}

// ---- the server and the car -------------------------------------------------------------------------

export interface Scene {
  h: Harness;
  /** The car, still connected. */
  car: Awaited<ReturnType<Harness['connect']>>;
  ca: Buffer;
}

/**
 * A server with HTTPS and default settings, and a car that sent F, S, D, L, W and Y over protocol v2
 * (stored before this returns).
 */
export async function sceneWithCar(t: TestContext): Promise<Scene> {
  const cert = makeTestCertificate();
  t.after(() => rmSync(cert.dir, { recursive: true, force: true }));
  const h = await startServer(t, { tls: cert });
  await h.addVehicle(VEHICLE, CAR_SECRET);
  const car = await h.connect('C', VEHICLE, CAR_SECRET);
  const watcher = await h.connect('A', VEHICLE, CAR_SECRET);
  car.send('F', '3.3.004-OVMS,VIN0123456789ABCDE,20,1,NL2,OVMS');
  for (const [code, payload] of [
    ['S', S_PAYLOAD],
    ['D', D_PAYLOAD],
    ['L', L_PAYLOAD],
    ['W', W_PAYLOAD],
    ['Y', Y_PAYLOAD],
  ] as const)
    car.send(code, payload);
  await watcher.nextOf('Y');
  await watcher.close();
  while ((await car.nextOf('Z')) !== 'Z0'); // the watcher has gone: no app left
  await h.store.flush();
  return { h, car, ca: cert.pem };
}

/** The client's view of the HTTPS port (6869 in production). */
export function httpsWire(s: Scene, keepsCookies: boolean): Wire {
  return new Wire(s.h.httpsPort, { ca: s.ca }, keepsCookies);
}

/** The client's view of the HTTP port (6868 in production). */
export function httpWire(s: Scene, keepsCookies: boolean): Wire {
  return new Wire(s.h.httpPort, undefined, keepsCookies);
}
