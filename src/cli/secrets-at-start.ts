import type { Logger } from 'pino';
import type { KeyFileInfo } from '../store/sqlite/key-file.js';
import { SecretsKeyError } from '../store/sqlite/key-file.js';
import type { Store } from '../store/store.js';

/** How many vehicle ids one log line lists at most. */
const LISTED = 10;

/** What an operator must know about a key file this command just made (printed or logged once). */
export function keyFileNotice(info: KeyFileInfo): string {
  return (
    `a key for the vehicle secrets was made: ${info.path} (readable by this user only). ` +
    'Back it up with the database: without it the vehicle secrets in the database cannot be read, ' +
    'and every car and app would need a new secret. Keep that backup apart from copies of the ' +
    'database where you can: whoever has both can read the secrets.'
  );
}

/** Where the secrets key comes from, as `ovms-server start` logs it. */
export function logKeySource(
  log: Logger,
  keyFile: KeyFileInfo | undefined,
  o: { secretsKeySet: boolean; perlMode: boolean; storeKind: string },
): void {
  if (keyFile?.created) log.warn({ keyFile: keyFile.path }, keyFileNotice(keyFile));
  else if (keyFile)
    log.info({ keyFile: keyFile.path }, 'vehicle secrets are sealed with the key in the key file');
  if (keyFile && keyFile.othersMode !== 0) {
    log.warn(
      { keyFile: keyFile.path, mode: `0${(0o600 | keyFile.othersMode).toString(8)}` },
      'the key file can be read by other users: chmod 600 it',
    );
  }
  if (!keyFile && !o.secretsKeySet && !o.perlMode && o.storeKind !== 'sqlite') {
    log.warn(
      { store: o.storeKind },
      'vehicle secrets are stored in plain text in this database: set secrets.key (OVMS_SECRETS_KEY) ' +
        'to seal them (see docs/configuration.md), and keep that key backed up',
    );
  }
}

/**
 * Seals the car secrets still stored in plain text and checks that the sealed ones open. Refuses to
 * start when none of them opens (the key is not theirs): every car and app login would fail.
 */
export async function sealSecretsAtStart(store: Store, log: Logger): Promise<void> {
  const report = await store.sealStoredSecrets();
  if (report.sealedNow > 0) {
    log.info({ count: report.sealedNow }, 'vehicle secrets stored in plain text are sealed now');
  }
  const { unreadable, sealedBefore } = report;
  if (unreadable.length === 0) return;
  const listed = unreadable.slice(0, LISTED).join(', ') + (unreadable.length > LISTED ? ', …' : '');
  if (unreadable.length === sealedBefore) {
    throw new SecretsKeyError(
      `none of the ${sealedBefore} sealed vehicle secrets opens with this key (${listed}): ` +
        'configure the key they were sealed with (secrets.key, or the database key file from your backup)',
    );
  }
  log.warn(
    { count: unreadable.length, vehicles: listed },
    'some sealed vehicle secrets cannot be opened (damaged?): these vehicles cannot log in until their secret is set again (ovms-server vehicle passwd)',
  );
}
