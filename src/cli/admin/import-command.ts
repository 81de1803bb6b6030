import type { Command } from 'commander';
import { isPerlSchema } from '../../auth/owner-login.js';
import { importPerlDatabase } from '../../store/import/perl-import.js';
import { openMysqlPool } from '../../store/mysql/mysql-store.js';
import { openStore, redactUrl } from '../../store/open-store.js';
import { isPerlDatabase, missingPerlColumns, perlStoreOn } from '../../store/perl/perl-store.js';
import {
  addCommonOptions,
  type CommonOptions,
  configFrom,
  print,
  storeOptions,
  table,
  UserError,
} from '../context.js';
import { DATABASE_URL, openingDatabase } from '../startup-errors.js';
import { ProgressBar } from './progress-bar.js';

interface ImportOptions extends CommonOptions {
  from: string;
  to?: string;
}

/** Opens the Perl server's database read through a Perl-mode store, after checking it is one. */
async function openSource(url: string) {
  if (!/^(mysql|mariadb):\/\//.test(url)) {
    throw new UserError(`--from must be the Perl server's database, mysql://USER:PASSWORD@HOST/DATABASE`);
  }
  const pool = await openMysqlPool({ url });
  const missing = (await isPerlDatabase(pool))
    ? await missingPerlColumns(pool)
    : ['ovms_owners', 'ovms_cars'];
  if (missing.length > 0) {
    await pool.close();
    throw new UserError(
      `${redactUrl(url)} is not a complete Perl-server database (missing ${missing.join(', ')})`,
    );
  }
  return perlStoreOn(pool);
}

export function registerImportCommand(program: Command): void {
  addCommonOptions(program.command('import'))
    .description("copy a Perl server's database into ours (safe to run again: it updates, never duplicates)")
    .requiredOption('--from <url>', "the Perl server's MariaDB/MySQL database, mysql://USER:PASSWORD@HOST/DB")
    .option('--to <url>', 'the database to fill (default: database.url from the configuration or --db)')
    .action(async (o: ImportOptions) => {
      const config = configFrom(o);
      const to = o.to ?? config.database.url;
      const toRef = o.to === undefined ? DATABASE_URL : { name: 'the --to URL' };
      const source = await openingDatabase(o.from, () => openSource(o.from), { name: 'the --from URL' });
      try {
        const target = await openingDatabase(to, () => openStore(to, storeOptions(config)), toRef);
        try {
          if (isPerlSchema(target))
            throw new UserError(`--to ${redactUrl(to)} is itself a Perl-server database`);
          await openingDatabase(to, () => target.migrate(), toRef);
          const bar = new ProgressBar();
          const report = await importPerlDatabase(source, target, (label, done, total) =>
            bar.update(label, done, total),
          );
          bar.done();
          print(`imported ${redactUrl(o.from)} into ${redactUrl(to)} (${target.kind})`);
          print(
            table(
              ['TABLE', 'IN SOURCE', 'COPIED', 'SKIPPED'],
              report.counts.map((c) => [c.table, c.source, c.copied, c.skipped]),
            ),
          );
          for (const note of report.notes) print(`note: ${note}`);
        } finally {
          await target.close();
        }
      } finally {
        await source.close();
      }
    });
}
