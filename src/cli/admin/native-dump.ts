/**
 * What to run instead of `ovms-server backup` on a network database: the database's own dump tool,
 * spelled out for the configured URL. The password is never part of the command (the tools read it
 * from PGPASSWORD or ~/.pgpass, or ask for it with --password).
 */
export function nativeDumpCommand(url: string, file: string): string | undefined {
  const postgres = /^postgres(ql)?:\/\//.test(url);
  const mysql = /^(mysql|mariadb):\/\//.test(url);
  if (!postgres && !mysql) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return postgres
      ? `pg_dump --format=custom --file=${quote(file)} DATABASE`
      : `mariadb-dump DATABASE > ${quote(file)}`;
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(parsed.username);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const args: string[] = [];
  if (host) args.push(`--host=${quote(host)}`);
  if (parsed.port) args.push(`--port=${parsed.port}`);
  if (postgres) {
    if (user) args.push(`--username=${quote(user)}`);
    const schema = parsed.searchParams.get('schema');
    if (schema) args.push(`--schema=${quote(schema)}`);
    return ['pg_dump --format=custom', ...args, `--file=${quote(file)}`, quote(database || 'DATABASE')].join(
      ' ',
    );
  }
  if (user) args.push(`--user=${quote(user)}`);
  if (parsed.password) args.push('--password');
  return [
    'mariadb-dump --single-transaction --routines',
    ...args,
    quote(database || 'DATABASE'),
    '>',
    quote(file),
  ].join(' ');
}

/** The one line `backup` prints for a network database (exit status 1). */
export function nativeDumpAdvice(url: string, file: string): string | undefined {
  const command = nativeDumpCommand(url, file);
  if (command === undefined) return undefined;
  const tool = command.startsWith('pg_dump')
    ? 'PostgreSQL database with its own tool'
    : 'MariaDB/MySQL database with its own tool (mysqldump on MySQL; the same for a Perl-server database)';
  return `backup copies SQLite databases only; back up this ${tool}: ${command} (see docs/operations.md)`;
}

/** Quotes a word for a POSIX shell when it needs it. */
function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
