import type { Command } from 'commander';
import { openStore, redactUrl } from '../../store/open-store.js';
import type { MigrationStatus } from '../../store/store.js';
import { addCommonOptions, type CommonOptions, configFrom, print } from '../context.js';

function show(url: string, s: MigrationStatus): void {
  print(`database ${redactUrl(url)}: schema version ${s.current} of ${s.latest}`);
  for (const m of s.applied) print(`  ${m.version}  ${m.name}  (applied ${m.appliedAt.toISOString()})`);
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema');

  addCommonOptions(db.command('migrate'))
    .description('apply pending migrations')
    .action(async (o: CommonOptions) => {
      const config = configFrom(o);
      const store = await openStore(config.database.url, { secretsKey: config.secretsKey });
      try {
        show(config.database.url, await store.migrate());
      } finally {
        await store.close();
      }
    });

  addCommonOptions(db.command('status'))
    .description('show the schema version')
    .action(async (o: CommonOptions) => {
      const config = configFrom(o);
      const store = await openStore(config.database.url, { secretsKey: config.secretsKey });
      try {
        show(config.database.url, await store.migrationStatus());
      } finally {
        await store.close();
      }
    });
}
