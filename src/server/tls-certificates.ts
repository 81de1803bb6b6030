import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { type FSWatcher, readFileSync, realpathSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import tls from 'node:tls';
import type { Logger } from 'pino';

/** A certificate chain (PEM, leaf first) and its private key, as the TLS listeners take them. */
export interface CertificateMaterial {
  cert: Buffer;
  key: Buffer;
}

/** What the logs and /health say about the certificate in use. */
export interface CertificateInfo {
  /** The leaf's subject, e.g. "CN=ovms.example.org". */
  subject: string;
  /** Its subject alternative names, e.g. "DNS:ovms.example.org". */
  names: string;
  expires: Date;
  /** SHA-256 fingerprint, as clients show it. */
  fingerprint: string;
}

export type ReloadResult = 'reloaded' | 'unchanged' | 'failed';

const DAY_MS = 86_400_000;

/**
 * Checks a certificate and key before they are used: the first certificate parses, the key parses
 * and belongs to it, and TLS takes the pair. Throws an error saying which; never the key's content.
 */
export function checkCertificate(material: CertificateMaterial): CertificateInfo {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(material.cert);
  } catch {
    throw new Error('the certificate file holds no readable PEM certificate');
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(material.key);
  } catch {
    throw new Error('the key file holds no readable (unencrypted) PEM private key');
  }
  if (!x509.checkPrivateKey(key)) throw new Error('the key does not belong to the certificate');
  try {
    tls.createSecureContext({ cert: material.cert, key: material.key });
  } catch (err) {
    throw new Error(`TLS refuses the certificate and key: ${(err as Error).message}`);
  }
  return {
    subject: x509.subject.split('\n').join(', '),
    names: x509.subjectAltName ?? '',
    expires: new Date(x509.validTo),
    fingerprint: x509.fingerprint256,
  };
}

/** Whole days from `now` until `expires` (negative once expired). */
export function daysLeft(expires: Date, now: number): number {
  return Math.floor((expires.getTime() - now) / DAY_MS);
}

export interface TlsCertificatesOptions {
  /** `tls.cert` and `tls.key`. */
  cert: string;
  key: string;
  log: Logger;
  /** `tls.expiry_warning_days`: warn when the certificate expires within this many days. */
  warningDays: number;
  /** Quiet time after the last change in a watched folder before reading the files (a renewal writes several). */
  settleMs?: number;
  /** Fallback check of the files (and of the expiry) where watching does not work. */
  checkIntervalMs?: number;
  now?: () => number;
}

/**
 * The certificate and key of every TLS listener (v2 TLS, HTTPS, and any later one), read from
 * `tls.cert`/`tls.key` and read again when they change: on a change in their folders (certbot swaps
 * symlinks in live/, so the folders are watched, not the files), on `reload()` (SIGHUP), and hourly.
 * A new pair that does not pass `checkCertificate` (unreadable, mismatched, half-written) is not
 * used: the listeners keep the one they have, one error is logged, and the next change is tried
 * again. Listeners take a new pair for new handshakes only; open connections are not touched.
 */
export class TlsCertificates {
  private material: CertificateMaterial | undefined;
  private info: CertificateInfo | undefined;
  private readonly subscribers = new Set<(material: CertificateMaterial) => void>();
  /** Digest of the files and error of the last failed reload: the same failure is logged once. */
  private lastFailure = '';
  private lastExpiryLog = 0;
  private watchers: FSWatcher[] = [];
  private interval: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly opts: TlsCertificatesOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The pair in use, read (and checked) on first use: a broken pair at start is an error. */
  get current(): CertificateMaterial {
    if (!this.material) {
      const material = { cert: readFileSync(this.opts.cert), key: readFileSync(this.opts.key) };
      let info: CertificateInfo;
      try {
        info = checkCertificate(material);
      } catch (err) {
        throw new Error(`tls.cert ${this.opts.cert} / tls.key ${this.opts.key}: ${(err as Error).message}`);
      }
      this.use(material, info, 'TLS certificate loaded');
    }
    return this.material!;
  }

  /** The certificate in use, once read. */
  get details(): CertificateInfo | undefined {
    return this.info;
  }

  /**
   * Calls `apply` with every new pair; returns what unsubscribes. The hook for any TLS listener
   * (see `attach` for a node tls.Server).
   */
  subscribe(apply: (material: CertificateMaterial) => void): () => void {
    this.subscribers.add(apply);
    return () => this.subscribers.delete(apply);
  }

  /** Gives a TLS server (tls.Server, https.Server) every new pair, for its new handshakes. */
  attach(server: tls.Server): () => void {
    return this.subscribe((m) => server.setSecureContext({ cert: m.cert, key: m.key }));
  }

  /** Starts watching the files' folders and the hourly check. */
  start(): void {
    if (this.interval) return;
    this.interval = setInterval(() => void this.check(), this.opts.checkIntervalMs ?? 3_600_000);
    this.interval.unref();
    for (const folder of this.folders()) {
      try {
        const watcher = watch(folder, { persistent: false }, () => this.changed());
        watcher.on('error', (err) => this.watchFailed(folder, err));
        this.watchers.push(watcher);
      } catch (err) {
        this.watchFailed(folder, err as Error);
      }
    }
  }

  stop(): void {
    clearInterval(this.interval);
    clearTimeout(this.settle);
    this.interval = undefined;
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  /** The hourly check: the files (when a change was not seen) and the expiry, logged at most once a day. */
  async check(): Promise<void> {
    await this.reload('periodic check');
    this.checkExpiry(false);
  }

  /**
   * Reads the files again and, when they changed and pass the checks, gives the new pair to every
   * listener. `reason` says what asked (SIGHUP, file change, periodic check) in the logs.
   */
  reload(reason: string): Promise<ReloadResult> {
    const next = this.queue.then(() => this.readAgain(reason));
    this.queue = next.catch(() => {});
    return next;
  }

  private async readAgain(reason: string): Promise<ReloadResult> {
    const log = this.opts.log;
    const paths = { cert: this.opts.cert, key: this.opts.key };
    let material: CertificateMaterial | undefined;
    let info: CertificateInfo;
    try {
      material = { cert: await readFile(paths.cert), key: await readFile(paths.key) };
      if (
        this.material &&
        material.cert.equals(this.material.cert) &&
        material.key.equals(this.material.key)
      ) {
        this.lastFailure = '';
        // Asked by an operator: say so, with the expiry, so a reload that changed nothing is visible.
        if (reason === 'SIGHUP') this.logCertificate('TLS certificate unchanged', reason);
        else log.debug({ reason }, 'TLS certificate files unchanged');
        return 'unchanged';
      }
      info = checkCertificate(material);
    } catch (err) {
      const message = (err as Error).message;
      const digest = createHash('sha256')
        .update(material?.cert ?? '')
        .update('\0')
        .update(material?.key ?? '')
        .update(message)
        .digest('hex');
      if (digest !== this.lastFailure || reason === 'SIGHUP') {
        log.error(
          { ...paths, err: message, reason },
          'TLS certificate reload failed: the listeners keep the current certificate (tried again on the next change)',
        );
      }
      this.lastFailure = digest;
      return 'failed';
    }
    this.lastFailure = '';
    this.use(material, info, 'TLS certificate reloaded', reason);
    return 'reloaded';
  }

  private use(material: CertificateMaterial, info: CertificateInfo, msg: string, reason?: string): void {
    this.material = material;
    this.info = info;
    for (const apply of this.subscribers) {
      try {
        apply(material);
      } catch (err) {
        this.opts.log.error(
          { err: (err as Error).message },
          'a TLS listener did not take the new certificate',
        );
      }
    }
    this.logCertificate(msg, reason);
    this.checkExpiry(true);
  }

  private logCertificate(msg: string, reason?: string): void {
    const info = this.info!;
    this.opts.log.info(
      {
        subject: info.subject,
        names: info.names,
        expires: info.expires.toISOString(),
        days_left: daysLeft(info.expires, this.now()),
        fingerprint: info.fingerprint,
        ...(reason ? { reason } : {}),
      },
      msg,
    );
  }

  /** Warns while the certificate expires within `warningDays`, errs once expired: at most once a day unless `always`. */
  private checkExpiry(always: boolean): void {
    const info = this.info;
    if (!info) return;
    const t = this.now();
    if (!always && t - this.lastExpiryLog < DAY_MS) return;
    const days = daysLeft(info.expires, t);
    const fields = { expires: info.expires.toISOString(), days_left: days, cert: this.opts.cert };
    if (info.expires.getTime() <= t) {
      this.opts.log.error(fields, 'TLS certificate has expired: clients refuse it until it is renewed');
    } else if (info.expires.getTime() - t <= this.opts.warningDays * DAY_MS) {
      this.opts.log.warn(
        { ...fields, warning_days: this.opts.warningDays },
        'TLS certificate expires soon: renew it (the server takes the new files without a restart)',
      );
    } else {
      return;
    }
    this.lastExpiryLog = t;
  }

  /** The folders of the files and, for symlinks, of what they point at. */
  private folders(): string[] {
    const folders = new Set<string>();
    for (const path of [this.opts.cert, this.opts.key]) {
      folders.add(dirname(path));
      try {
        folders.add(dirname(realpathSync(path)));
      } catch {}
    }
    return [...folders];
  }

  private changed(): void {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => void this.reload('file change'), this.opts.settleMs ?? 500);
    this.settle.unref();
  }

  private watchFailed(folder: string, err: Error): void {
    this.opts.log.warn(
      { folder, err: err.message },
      'cannot watch the TLS certificate folder: renewals are taken on SIGHUP and by the hourly check',
    );
  }
}
