import type { Command } from 'commander';
import { isPerlSchema } from '../../auth/owner-login.js';
import { openStore, redactUrl } from '../../store/open-store.js';
import type { MigrationStatus, Store } from '../../store/store.js';
import { addCommonOptions, type CommonOptions, configFrom, print } from '../context.js';

function show(url: string, kind: string, s: MigrationStatus): void {
  if (isPerlSchema({ kind })) {
    print(`database ${redactUrl(url)}: a Perl-server schema, used as it is (Perl mode; no migrations)`);
    return;
  }
  print(`database ${redactUrl(url)} (${kind}): schema version ${s.current} of ${s.latest}`);
  for (const m of s.applied) print(`  ${m.version}  ${m.name}  (applied ${m.appliedAt.toISOString()})`);
}

/** Opens the configured store, runs one schema operation, prints the resulting status. */
async function schemaAction(o: CommonOptions, op: (store: Store) => Promise<MigrationStatus>): Promise<void> {
  const config = configFrom(o);
  const store = await openStore(config.database.url, { secretsKey: config.secretsKey });
  try {
    show(config.database.url, store.kind, await op(store));
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
