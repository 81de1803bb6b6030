import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/server/logger.js';
import { checkCertificate, daysLeft, TlsCertificates } from '../../src/server/tls-certificates.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

const DAY = 86_400_000;

function recordingLog() {
  const lines: { level: number; msg: string; days_left?: number }[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { lines, log: createLogger({ level: 'debug', destination }) };
}

test('checkCertificate: says what is wrong with a pair, and what the certificate is', (t) => {
  const [a, b] = [makeTestCertificate(), makeTestCertificate()];
  t.after(() => {
    for (const c of [a, b]) rmSync(c.dir, { recursive: true, force: true });
  });
  const pair = (cert: string, key: string) => ({ cert: readFileSync(cert), key: readFileSync(key) });
  const info = checkCertificate(pair(a.cert, a.key));
  assert.equal(info.subject, 'CN=localhost');
  assert.equal(info.names, 'DNS:localhost, IP Address:127.0.0.1');
  assert.ok(
    info.expires.getTime() > Date.now() + DAY && info.expires.getTime() < Date.now() + 2 * DAY + 60_000,
  );
  assert.throws(
    () => checkCertificate(pair(a.cert, b.key)),
    /^Error: the key does not belong to the certificate$/,
  );
  assert.throws(
    () => checkCertificate({ cert: Buffer.from('garbage'), key: readFileSync(a.key) }),
    /no readable PEM certificate/,
  );
  assert.throws(
    () => checkCertificate({ cert: readFileSync(a.cert), key: Buffer.from('garbage') }),
    /no readable \(unencrypted\) PEM private key/,
  );
});

test('expiry: warned at load, then at most once a day while within the warning days; an error once expired', async (t) => {
  const c = makeTestCertificate({ days: 3 });
  t.after(() => rmSync(c.dir, { recursive: true, force: true }));
  const { lines, log } = recordingLog();
  let clock = Date.now();
  const certs = new TlsCertificates({ cert: c.cert, key: c.key, log, warningDays: 14, now: () => clock });
  const expiryLines = () => lines.filter((l) => /^TLS certificate (expires soon|has expired)/.test(l.msg));
  assert.ok(certs.current.cert.length > 0);
  const expires = certs.details!.expires;
  assert.equal(daysLeft(expires, clock), 2);
  assert.deepEqual(
    expiryLines().map((l) => [l.level, l.days_left]),
    [[40, 2]],
  );
  clock += 3_600_000;
  await certs.check();
  assert.equal(expiryLines().length, 1, 'not again within the day');
  clock += DAY;
  await certs.check();
  assert.deepEqual(
    expiryLines().map((l) => [l.level, l.days_left]),
    [
      [40, 2],
      [40, 1],
    ],
  );
  clock = expires.getTime() + 1000;
  await certs.check();
  const last = expiryLines().at(-1)!;
  assert.equal(last.level, 50);
  assert.match(last.msg, /has expired/);
  assert.equal(last.days_left, -1);
});

test('expiry: nothing while further away than the warning days', (t) => {
  const c = makeTestCertificate({ days: 3 });
  t.after(() => rmSync(c.dir, { recursive: true, force: true }));
  const { lines, log } = recordingLog();
  const certs = new TlsCertificates({ cert: c.cert, key: c.key, log, warningDays: 2 });
  assert.ok(certs.current);
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['TLS certificate loaded'],
  );
});
