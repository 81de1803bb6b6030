import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

/**
 * A self-signed certificate for 127.0.0.1/localhost, made with the openssl command, valid for `days`
 * (2 by default), in a fresh folder.
 */
export function makeTestCertificate(opts: { days?: number } = {}): {
  cert: string;
  key: string;
  pem: Buffer;
  dir: string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-cert-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(opts.days ?? 2),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key, pem: readFileSync(cert), dir };
}

/** The SHA-256 fingerprint of a PEM certificate, as `peerFingerprint` gives it. */
export function fingerprintOf(pem: Buffer): string {
  return new X509Certificate(pem).fingerprint256;
}

/** Opens a TLS connection to 127.0.0.1:`port` and returns the fingerprint of the certificate it gets. */
export function peerFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      rejectUnauthorized: false,
    });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      socket.destroy();
      resolve(fingerprint);
    });
  });
}
