import assert from 'node:assert/strict';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Harness } from '../helpers/harness.js';

export interface ApiResponse {
  status: number;
  text: string;
  headers: Headers;
  /** The body parsed as JSON (throws if it is not). */
  json: unknown;
}

export interface CallOptions {
  query?: Record<string, string>;
  cookie?: string;
  /** JSON body. */
  body?: unknown;
  /** Form body (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  https?: boolean;
}

/** Real HTTP calls (fetch) against a harness server's API port. */
export class Api {
  constructor(
    private readonly h: Harness,
    readonly credentials: { username: string; password: string } = {
      username: 'owner',
      password: 'owner-password',
    },
  ) {}

  url(path: string, query: Record<string, string> = {}, https = false): string {
    const port = https ? this.h.httpsPort : this.h.httpPort;
    const qs = new URLSearchParams(query).toString();
    return `${https ? 'https' : 'http'}://127.0.0.1:${port}${path}${qs ? `?${qs}` : ''}`;
  }

  async call(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.cookie) headers.cookie = opts.cookie;
    let body: string | undefined;
    if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(this.url(path, opts.query, opts.https), { method, headers, body });
    const text = await res.text();
    return {
      status: res.status,
      text,
      headers: res.headers,
      get json() {
        return JSON.parse(text) as unknown;
      },
    };
  }

  /** A call authenticated with the username/password query parameters. */
  withPassword(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse> {
    return this.call(method, path, { ...opts, query: { ...this.credentials, ...opts.query } });
  }

  /** GET /api/cookie: returns the cookie to send back ("ovmsapisession=<uuid>"). */
  async login(): Promise<string> {
    const res = await this.withPassword('GET', '/api/cookie');
    assert.equal(res.status, 200, res.text);
    return sessionCookieOf(res);
  }
}

export function sessionCookieOf(res: ApiResponse): string {
  const header = res.headers.get('set-cookie') ?? '';
  const match = /ovmsapisession=([^;]*)/.exec(header);
  assert.ok(match, `no session cookie in ${JSON.stringify(header)}`);
  return `ovmsapisession=${match[1]}`;
}

/** Asserts a JSON response: status, content type, the canonical body (sorted keys, final newline) and schema. */
export function assertJson(res: ApiResponse, status: number, schema?: TSchema): unknown {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(res.text.endsWith('\n'), 'JSON body ends with a newline');
  const value = res.json;
  assert.equal(res.text, `${JSON.stringify(sortKeys(value))}\n`, 'keys are sorted');
  if (schema) {
    const errors = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path}: ${e.message}`);
    assert.deepEqual(errors, [], 'response matches its schema');
  }
  return value;
}

export function assertText(res: ApiResponse, status: number, text: string): void {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  assert.equal(res.text, text === '' ? '' : `${text}\n`);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
