import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/open-store.js';
import { freePort } from '../hardening/server-process.js';
import { startCli } from '../helpers/cli-process.js';
import { eventually } from '../helpers/eventually.js';
import { type Harness, startServer } from '../helpers/harness.js';
import { TestClient } from '../helpers/test-client.js';
import { fingerprintOf, makeTestCertificate, peerFingerprint } from '../helpers/tls-cert.js';

type Certificate = ReturnType<typeof makeTestCertificate>;
type LogLine = Record<string, unknown> & { msg: string };

function certificate(t: { after(fn: () => void): void }, days = 90): Certificate {
  const c = makeTestCertificate({ days });
  t.after(() => rmSync(c.dir, { recursive: true, force: true }));
  return c;
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-renew-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function logged(lines: readonly string[] | readonly LogLine[], msg: string): LogLine[] {
  return lines
    .map((l) => (typeof l === 'string' ? (JSON.parse(l) as LogLine) : l))
    .filter((l) => l.msg.startsWith(msg));
}

/** Waits until `msg` has been logged `count` times (reloads follow a file change by half a second). */
async function loggedTimes(lines: readonly string[] | LogLine[], msg: string, count = 1): Promise<LogLine[]> {
  return eventually(
    async () => logged(lines, msg),
    (found) => found.length >= count,
    10_000,
  );
}

/**
 * The layout certbot keeps: live/fullchain.pem and live/privkey.pem are symlinks into archive/, and a
 * renewal writes new archive files, then swaps the symlinks.
 */
function certbotFolder(root: string) {
  mkdirSync(join(root, 'archive'));
  mkdirSync(join(root, 'live'));
  let n = 0;
  const link = (name: string, target: string) => {
    const tmp = join(root, 'live', `${name}.new`);
    symlinkSync(`../archive/${target}`, tmp);
    renameSync(tmp, join(root, 'live', name));
  };
  return {
    cert: join(root, 'live', 'fullchain.pem'),
    key: join(root, 'live', 'privkey.pem'),
    install(c: Certificate) {
      n++;
      copyFileSync(c.cert, join(root, 'archive', `fullchain${n}.pem`));
      copyFileSync(c.key, join(root, 'archive', `privkey${n}.pem`));
      link('fullchain.pem', `fullchain${n}.pem`);
      link('privkey.pem', `privkey${n}.pem`);
    },
  };
}

/** `c` copied to cert.pem and key.pem in a folder of its own (which the test then changes in place). */
function copiedPair(t: { after(fn: () => void): void }, c: Certificate) {
  const dir = tempDir(t);
  const files = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
  copyFileSync(c.cert, files.cert);
  copyFileSync(c.key, files.key);
  return { dir, files };
}

function expiryOf(c: Certificate): string {
  return new Date(new X509Certificate(c.pem).validTo).toISOString();
}

/** GET /health over HTTPS, trusting `ca` only. */
function healthOverHttps(port: number, ca: Buffer): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: '/health', ca, servername: 'localhost' }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

async function carAndApp(h: Harness, ca: Buffer): Promise<{ car: TestClient; app: TestClient }> {
  await h.addVehicle('RENEW1', 's1');
  const tls = { ca, servername: 'localhost' };
  const car = await h.connect('C', 'RENEW1', 's1', { transport: 'tls', port: h.server.ports.v2tls, tls });
  const app = await h.connect('A', 'RENEW1', 's1');
  await app.nextOf('Z');
  return { car, app };
}

test('certificate renewal (certbot symlinks swapped): v2 TLS and HTTPS take the new certificate for new connections, a car connected over TLS stays', async (t) => {
  const [a, b] = [certificate(t), certificate(t)];
  const files = certbotFolder(tempDir(t));
  files.install(a);
  const h = await startServer(t, { tls: { cert: files.cert, key: files.key } });
  const { car, app } = await carAndApp(h, a.pem);
  assert.equal(await peerFingerprint(h.server.ports.v2tls), fingerprintOf(a.pem));
  assert.equal(await peerFingerprint(h.httpsPort), fingerprintOf(a.pem));

  files.install(b);
  const [reloaded] = await loggedTimes(h.logs, 'TLS certificate reloaded');
  assert.equal(reloaded?.fingerprint, fingerprintOf(b.pem));
  assert.equal(reloaded?.expires, expiryOf(b));
  assert.equal(reloaded?.reason, 'file change');
  assert.match(String(reloaded?.names), /DNS:localhost/);
  assert.equal(reloaded?.days_left, 89);

  assert.equal(await peerFingerprint(h.server.ports.v2tls), fingerprintOf(b.pem));
  assert.equal(await peerFingerprint(h.httpsPort), fingerprintOf(b.pem));
  // A client trusting only the new certificate gets through on HTTPS, and /health shows its expiry.
  assert.equal((await healthOverHttps(h.httpsPort, b.pem)).tls_expires, expiryOf(b));
  // The car's TLS connection, made with the old certificate, carries on.
  car.send('S', '81.0,K');
  assert.equal(await app.nextOf('S'), 'S81.0,K');
  car.send('A');
  assert.equal(await car.nextOf('a'), 'a');
  assert.equal(car.disconnected, false);
  assert.equal(logged(h.logs, 'TLS certificate reload failed').length, 0);
  assert.equal(logged(h.logs, 'TLS certificate loaded').length, 1);
});

test('a broken new certificate (key of another certificate, garbage, half-written file) is not used: the old one stays, one error each, and the next change is taken', async (t) => {
  const [a, b] = [certificate(t), certificate(t)];
  const { files } = copiedPair(t, a);
  const h = await startServer(t, { tls: { cert: files.cert, key: files.key } });
  const { car } = await carAndApp(h, a.pem);

  // Renewal half done: the new key is there, the certificate is still the old one.
  copyFileSync(b.key, files.key);
  const [mismatch] = await loggedTimes(h.logs, 'TLS certificate reload failed');
  assert.equal(mismatch?.err, 'the key does not belong to the certificate');
  assert.equal(mismatch?.level, 50);
  assert.equal(await peerFingerprint(h.server.ports.v2tls), fingerprintOf(a.pem));
  assert.equal(await peerFingerprint(h.httpsPort), fingerprintOf(a.pem));
  // The same broken files are not logged again by the periodic check.
  await h.server.certificates!.check();
  assert.equal(logged(h.logs, 'TLS certificate reload failed').length, 1);

  // A half-written certificate file: no readable certificate.
  const pem = readFileSync(b.cert, 'utf8');
  writeFileSync(files.cert, pem.slice(0, pem.length / 2));
  const failures = await loggedTimes(h.logs, 'TLS certificate reload failed', 2);
  assert.equal(failures[1]?.err, 'the certificate file holds no readable PEM certificate');
  writeFileSync(files.cert, 'not a certificate\n');
  await loggedTimes(h.logs, 'TLS certificate reload failed', 3);
  assert.equal(await peerFingerprint(h.server.ports.v2tls), fingerprintOf(a.pem));
  assert.equal(await peerFingerprint(h.httpsPort), fingerprintOf(a.pem));
  assert.ok(!h.logs.join('\n').includes(readFileSync(b.key, 'utf8').split('\n')[1]!), 'no key in the logs');

  // The renewal completes: taken.
  copyFileSync(b.cert, files.cert);
  await loggedTimes(h.logs, 'TLS certificate reloaded');
  assert.equal(await peerFingerprint(h.server.ports.v2tls), fingerprintOf(b.pem));
  assert.equal(await peerFingerprint(h.httpsPort), fingerprintOf(b.pem));
  car.send('A');
  assert.equal(await car.nextOf('a'), 'a');
});

test('a certificate expiring within tls.expiry_warning_days is warned about at start; /health shows its expiry', async (t) => {
  const soon = certificate(t, 3);
  const h = await startServer(t, { tls: { cert: soon.cert, key: soon.key } });
  const [warning] = logged(h.logs, 'TLS certificate expires soon');
  assert.ok(warning, 'expiry warning logged');
  assert.equal(warning.level, 40);
  assert.equal(warning.expires, expiryOf(soon));
  assert.equal(warning.days_left, 2);
  assert.equal(warning.warning_days, 14);
  const health = (await (await fetch(`http://127.0.0.1:${h.httpPort}/health`)).json()) as Record<
    string,
    unknown
  >;
  assert.equal(health.tls_expires, expiryOf(soon));
  assert.equal(health.tls_days_left, 2);

  const later = certificate(t, 90);
  const quiet = await startServer(t, { tls: { cert: later.cert, key: later.key } });
  assert.equal(logged(quiet.logs, 'TLS certificate loaded').length, 1);
  assert.equal(logged(quiet.logs, 'TLS certificate expires soon').length, 0);
});

test('ovms-server start: SIGHUP reloads the certificate without dropping the car connected over TLS', async (t) => {
  const [a, b] = [certificate(t), certificate(t)];
  const { dir, files } = copiedPair(t, a);
  const db = `sqlite:${join(dir, 'ovms.db')}`;
  const seed = await openStore(db);
  await seed.migrate();
  const owner = await seed.createOwner({ name: 'alice', passwordHash: 'x' });
  await seed.createVehicle({ ownerId: owner.id, vehicleId: 'RENEW1', secret: 'car-secret' });
  await seed.close();
  const tlsPort = await freePort();
  const server = await startCli(t, db, {
    OVMS_TLS_CERT: files.cert,
    OVMS_TLS_KEY: files.key,
    OVMS_TLS_PORT: String(tlsPort),
  });
  assert.ok(server.ports, `the server did not start: ${server.stderr}`);
  const car = new TestClient({
    host: '127.0.0.1',
    port: tlsPort,
    transport: 'tls',
    tls: { ca: a.pem, servername: 'localhost' },
    clientType: 'C',
    vehicleId: 'RENEW1',
    secret: 'car-secret',
  });
  t.after(() => car.close());
  await car.client.connect();

  // Nothing changed: the server says so, and keeps running.
  process.kill(server.pid, 'SIGHUP');
  const [unchanged] = await loggedTimes(server.lines, 'TLS certificate unchanged');
  assert.equal(unchanged?.reason, 'SIGHUP');
  assert.equal(unchanged?.fingerprint, fingerprintOf(a.pem));

  copyFileSync(b.cert, files.cert);
  copyFileSync(b.key, files.key);
  process.kill(server.pid, 'SIGHUP');
  const [reloaded] = await loggedTimes(server.lines, 'TLS certificate reloaded');
  assert.equal(reloaded?.fingerprint, fingerprintOf(b.pem));
  assert.equal(await peerFingerprint(tlsPort), fingerprintOf(b.pem));
  car.send('A');
  assert.equal(await car.nextOf('a'), 'a');
  assert.equal(car.disconnected, false);
});
