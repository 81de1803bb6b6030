import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { test } from 'node:test';
import tls from 'node:tls';
import { startServer } from '../helpers/harness.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  ms: number;
}

/** One HTTP request over loopback from `from` (any 127.x address is a distinct client address). */
function request(port: number, method: string, path: string, from: string, body?: string): Promise<Answer> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        localAddress: from,
        agent: false,
        headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: res.headers['retry-after'] as string | undefined,
            ms: Number(process.hrtime.bigint() - start) / 1e6,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const login = (user: string, password: string) =>
  `/api/cookie?${new URLSearchParams({ username: user, password })}`;

/** The first line a v2 scheme-1 login over TLS gets, or undefined when the server just closes. */
function scheme1(port: number, ca: Buffer, line: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () =>
      socket.write(`${line}\r\n`),
    );
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\n')) {
        resolve(data.split('\r\n')[0]);
        socket.destroy();
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(undefined));
  });
}

test('failed logins are throttled per account across addresses and login paths; the owner keeps working', async (t) => {
  const cert = makeTestCertificate();
  t.after(() => rmSync(cert.dir, { recursive: true, force: true }));
  const h = await startServer(t, { tls: cert });
  await h.addVehicle('DEMO', 's1');
  await h.addOwner('other', 'other-password');
  const port = h.httpPort;

  // The owner logs in from their usual address before the attack.
  assert.equal((await request(port, 'GET', login('owner', 'owner-password'), '127.0.0.50')).status, 200);

  // 100 guesses from 20 addresses, 20 at a time.
  const answers: Answer[] = [];
  for (let round = 0; round < 5; round++) {
    const batch = Array.from({ length: 20 }, (_, i) =>
      request(port, 'GET', login('owner', `guess-${round}-${i}`), `127.0.0.${i + 2}`),
    );
    answers.push(...(await Promise.all(batch)));
  }
  const checked = answers.filter((a) => a.status === 401).length;
  const refused = answers.filter((a) => a.status === 429);
  assert.equal(checked + refused.length, 100, JSON.stringify(answers.map((a) => a.status)));
  t.diagnostic(`${checked} of 100 guesses checked, ${refused.length} refused with 429`);
  assert.ok(checked <= 8, `${checked} of 100 guesses were checked`);
  for (const a of refused) {
    const wait = Number(a.retryAfter);
    assert.ok(wait >= 1 && wait <= 300, `Retry-After ${a.retryAfter}`);
  }
  assert.ok(h.logs.some((l) => l.includes('HTTP login refused: too many failed logins for this account')));

  // The owner's own address is not delayed, with the password or a session.
  const own = await request(
    port,
    'GET',
    `/api/vehicles?username=owner&password=owner-password`,
    '127.0.0.50',
  );
  assert.equal(own.status, 200);
  // ...and that good login cleared nothing for the attacker.
  const next = await request(port, 'GET', login('owner', 'guess-after'), '127.0.0.2');
  assert.equal(next.status, 429);
  // A new address waits too, even with the right password (for a while, not for good).
  const fresh = await request(port, 'GET', login('owner', 'owner-password'), '127.0.0.60');
  assert.equal(fresh.status, 429);
  assert.ok(Number(fresh.retryAfter) <= 300);
  // The same throttle covers the broker check and v2 scheme 1.
  const mq = await request(
    port,
    'POST',
    '/mqapi/auth',
    '127.0.0.1',
    'username=owner&password=owner-password',
  );
  assert.equal(mq.status, 403);
  assert.ok(h.logs.some((l) => l.includes('mqapi auth: refused, too many failed logins for this account')));
  const v2 = await scheme1(h.server.ports.v2tls, cert.pem, 'MP-A 1 owner owner-password DEMO');
  assert.equal(v2, undefined);
  assert.ok(h.logs.some((l) => l.includes('login throttled: too many failed logins for user owner')));
  // Another account is not affected.
  assert.equal((await request(port, 'GET', login('other', 'other-password'), '127.0.0.2')).status, 200);
});

test('scheme-1 failures count for the HTTP login of the same account', async (t) => {
  const cert = makeTestCertificate();
  t.after(() => rmSync(cert.dir, { recursive: true, force: true }));
  const h = await startServer(t, { tls: cert });
  await h.addVehicle('DEMO', 's1');
  for (let i = 0; i < 6; i++) {
    assert.equal(await scheme1(h.server.ports.v2tls, cert.pem, `MP-A 1 owner wrong-${i} DEMO`), undefined);
  }
  const answer = await request(h.httpPort, 'GET', login('owner', 'owner-password'), '127.0.0.7');
  assert.equal(answer.status, 429);
});

test('an unknown user costs the same password hash as a known one with a wrong password', async (t) => {
  const h = await startServer(t);
  const samples = 7;
  // One failure per account, so the per-account throttle stays out of the way.
  for (let i = 0; i < samples; i++) await h.addOwner(`known-${i}`, `known-password-${i}`);
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < samples; i++) {
    const k = await request(h.httpPort, 'GET', login(`known-${i}`, 'not-the-password'), '127.0.0.1');
    const u = await request(h.httpPort, 'GET', login(`unknown-${i}`, 'not-the-password'), '127.0.0.1');
    assert.equal(k.status, 401);
    assert.equal(u.status, 401);
    known.push(k.ms);
    unknown.push(u.ms);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // A password hash costs tens of ms; a lookup alone well under one. A factor of 3 either way
  // leaves room for a loaded machine and still fails by far when one side skips the hash.
  const [k, u] = [median(known), median(unknown)];
  t.diagnostic(`median ${k.toFixed(1)} ms for a known user, ${u.toFixed(1)} ms for an unknown one`);
  assert.ok(
    u > k / 3 && u < k * 3,
    `median ${k.toFixed(1)} ms for a known user, ${u.toFixed(1)} ms for an unknown`,
  );
});
