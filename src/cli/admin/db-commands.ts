import type { Command } from 'commander';
import { isPerlSchema } from '../../auth/owner-login.js';
import { openStore, redactUrl } from '../../store/open-store.js';
import { SchemaNewerError } from '../../store/schema-newer-error.js';
import type { MigrationStatus, Store } from '../../store/store.js';
import { addCommonOptions, type CommonOptions, configFrom, print, storeOptions } from '../context.js';
import { openingDatabase } from '../startup-errors.js';

function show(url: string, kind: string, s: MigrationStatus): void {
  if (isPerlSchema({ kind })) {
    print(`database ${redactUrl(url)}: a Perl-server schema, used as it is (Perl mode; no migrations)`);
    return;
  }
  print(`database ${redactUrl(url)} (${kind}): schema version ${s.current} of ${s.latest}`);
  for (const m of s.applied) print(`  ${m.version}  ${m.name}  (applied ${m.appliedAt.toISOString()})`);
  if (s.current > s.latest) print(`  ${new SchemaNewerError(s.current, s.latest).message}`);
}

function secretsAtRest(kind: string, secretsKeySet: boolean, keyFile: string | undefined): string {
  if (isPerlSchema({ kind })) return "plain text (Perl mode keeps the Perl server's format)";
  if (secretsKeySet) return 'sealed with secrets.key';
  return keyFile ? `sealed with the key file ${keyFile} (back it up with the database)` : 'plain text';
}

/** Opens the configured store, runs one schema operation, prints the resulting status. */
async function schemaAction(o: CommonOptions, op: (store: Store) => Promise<MigrationStatus>): Promise<void> {
  const config = configFrom(o);
  const options = storeOptions(config);
  let keyFile: string | undefined;
  const url = config.database.url;
  const store = await openingDatabase(url, () =>
    openStore(url, {
      ...options,
      onKeyFile: (info) => {
        keyFile = info.path;
        options.onKeyFile?.(info);
      },
    }),
  );
  try {
    show(url, store.kind, await openingDatabase(url, () => op(store)));
    print(`vehicle secrets: ${secretsAtRest(store.kind, config.secretsKey !== '', keyFile)}`);
  } finally {
    await store.close();
  }
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema');
  addCommonOptions(db.command('migrate'))
    .description('apply pending migrations')
    .action((o: CommonOptions) => schemaAction(o, (store) => store.migrate()));
  addCommonOptions(db.command('status'))
    .description('show the schema version')
    .action((o: CommonOptions) => schemaAction(o, (store) => store.migrationStatus()));
}
