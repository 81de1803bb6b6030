import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

/** One request as ABRP's tlm/send would receive it. */
export interface AbrpRequest {
  method: string;
  path: string;
  contentType: string;
  apiKey: string;
  token: string;
  tlm: Record<string, unknown>;
  /** Epoch ms of arrival. */
  at: number;
}

export interface AbrpAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export const OK: AbrpAnswer = { status: 200, body: '{"status":"ok"}', contentType: 'application/json' };
/** What ABRP answers to a token it does not know (seen from ABRP's own OVMS plugin, iternio/ovms-link#29). */
export const UNAUTHORIZED_TOKEN: AbrpAnswer = {
  status: 401,
  body: '401 Unauthorized Token',
  contentType: 'text/html; charset=utf-8',
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A stand-in for ABRP's telemetry endpoint on loopback: it records every request (parameters read
 * from the form body or the query, as ABRP takes either) and answers from a script (OK when empty).
 * Tests await requests one by one (`next`), never sleeping.
 */
export async function fakeAbrp(t: TestContext) {
  const requests: AbrpRequest[] = [];
  const answers: AbrpAnswer[] = [];
  let waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const params = new URLSearchParams(body);
      const get = (name: string) => params.get(name) ?? url.searchParams.get(name) ?? '';
      let tlm: Record<string, unknown> = {};
      try {
        tlm = JSON.parse(get('tlm')) as Record<string, unknown>;
      } catch {}
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        contentType: req.headers['content-type'] ?? '',
        apiKey: get('api_key'),
        token: get('token'),
        tlm,
        at: Date.now(),
      });
      const answer = answers.shift() ?? OK;
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' });
      res.end(answer.body);
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  let read = 0;
  return {
    url: `http://127.0.0.1:${port}/1/tlm/send`,
    requests,
    /** Answers for the next requests, in order. */
    answer(...next: AbrpAnswer[]) {
      answers.push(...next);
    },
    /** The next request not yet returned by `next`. */
    async next(timeoutMs = 5000): Promise<AbrpRequest> {
      const deadline = Date.now() + timeoutMs;
      while (requests.length <= read) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ABRP request within ${timeoutMs} ms (${requests.length} so far)`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests[read++]!;
    },
    /** Skips requests until one satisfies `done`. */
    async nextWhere(done: (r: AbrpRequest) => boolean, timeoutMs = 5000): Promise<AbrpRequest> {
      for (;;) {
        const r = await this.next(timeoutMs);
        if (done(r)) return r;
      }
    },
  };
}
