import type { WriteBatcherOptions } from '../batch-queue.js';
import { memoryPushQueue } from '../push-queue.js';
import { plainSecretBox } from '../secret-box.js';
import { memorySessions } from '../session-rows.js';
import type { SqlPool } from '../sql/sql-pool.js';
import { type SqlSchema, SqlStore } from '../sql/sql-store.js';
import type { MigrationStatus } from '../store.js';
import { perlAbrpLinks } from './perl-abrp.js';
import { perlAccounts } from './perl-accounts.js';
import { perlMessagesAndHistory } from './perl-messages-history.js';
import { perlOwnersAndVehicles } from './perl-owners-vehicles.js';
import { perlRecording } from './perl-recording.js';

/**
 * Perl mode: the store runs on a Perl server's MariaDB/MySQL database as it is (SERVER-INVENTORY.md
 * §3), reading and writing the reference's tables in the reference's formats, so an operator can
 * switch to ovms-server and back. The schema is never changed: `migrate()` only checks that every
 * table and column we use is there. What the Perl schema cannot hold is listed in docs/storage.md.
 */

/** Tables and the columns of each that Perl mode reads or writes. */
export const PERL_TABLES: Readonly<Record<string, readonly string[]>> = {
  ovms_owners: ['owner', 'name', 'mail', 'pass', 'status', 'deleted', 'changed'],
  ovms_cars: [
    'owner',
    'vehicleid',
    'vehiclename',
    'carpass',
    'v_ptoken',
    'v_type',
    'deleted',
    'changed',
    'v_lastupdate',
  ],
  ovms_carmessages: [
    'owner',
    'vehicleid',
    'm_code',
    'm_valid',
    'm_msgtime',
    'm_paranoid',
    'm_ptoken',
    'm_msg',
  ],
  ovms_historicalmessages: [
    'owner',
    'vehicleid',
    'h_timestamp',
    'h_recordtype',
    'h_recordnumber',
    'h_data',
    'h_expires',
  ],
  ovms_notifies: [
    'owner',
    'vehicleid',
    'appid',
    'pushtype',
    'pushkeytype',
    'pushkeyvalue',
    'lastupdated',
    'active',
  ],
  ovms_autoprovision: [
    'ap_key',
    'ap_stoken',
    'ap_sdigest',
    'ap_msg',
    'deleted',
    'changed',
    'owner',
    'v_lastused',
  ],
  ovms_apitokens: ['owner', 'token', 'application', 'purpose', 'permit', 'created', 'refreshed', 'lastused'],
};

async function columnsByTable(pool: SqlPool): Promise<Map<string, Set<string>>> {
  const { rows } = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name AS table_name, column_name AS column_name FROM information_schema.columns
     WHERE table_schema = DATABASE() AND table_name LIKE 'ovms\\_%'`,
  );
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    const columns = tables.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name.toLowerCase());
    tables.set(row.table_name, columns);
  }
  return tables;
}

/** A Perl server's database has its owners and cars tables; ours never does. */
export async function isPerlDatabase(pool: SqlPool): Promise<boolean> {
  const tables = await columnsByTable(pool);
  return tables.has('ovms_owners') && tables.has('ovms_cars');
}

/** What is missing for Perl mode, e.g. ["ovms_apitokens", "ovms_cars.v_ptoken"]; empty when complete. */
export async function missingPerlColumns(pool: SqlPool): Promise<string[]> {
  const tables = await columnsByTable(pool);
  const missing: string[] = [];
  for (const [table, columns] of Object.entries(PERL_TABLES)) {
    const present = tables.get(table);
    if (!present) missing.push(table);
    else for (const column of columns) if (!present.has(column)) missing.push(`${table}.${column}`);
  }
  return missing;
}

/** Nothing to migrate in Perl mode; version 0 of 0 says the schema is the reference's, untouched. */
const UNVERSIONED: MigrationStatus = { current: 0, latest: 0, applied: [] };

export const perlSchema: SqlSchema = {
  async migrate(pool) {
    const missing = await missingPerlColumns(pool);
    if (missing.length > 0) {
      throw new Error(
        `the Perl-server database lacks ${missing.join(', ')}; bring it to the v3 schema ` +
          '(the reference ships ovms_server_v2_to_v3.sql) before pointing ovms-server at it',
      );
    }
    return UNVERSIONED;
  },
  status: async () => UNVERSIONED,
};

export function perlStoreOn(pool: SqlPool, options: { batch?: WriteBatcherOptions } = {}): SqlStore {
  return new SqlStore({
    kind: 'perl-mysql',
    pool,
    schema: perlSchema,
    // The push queue is in memory (not durable): the Perl server's schema is never altered.
    backend: {
      ...perlOwnersAndVehicles,
      ...perlMessagesAndHistory,
      ...perlAccounts,
      ...memoryPushQueue(),
      ...perlAbrpLinks,
      ...perlRecording,
      // Sessions in memory, as the reference keeps them: they do not survive a restart in Perl mode.
      ...memorySessions(),
    },
    // Car secrets stay in plain text: the Perl server and the Drupal module read them as they are.
    secretBox: plainSecretBox,
    batch: options.batch,
  });
}
