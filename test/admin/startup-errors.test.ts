import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../hardening/server-process.js';
import { runCli } from '../helpers/cli-process.js';
import { mysqlAdmin, POSTGRES_ADMIN_URL, postgresAdmin, uniqueName } from '../helpers/databases.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

/**
 * What an operator can get wrong at start-up, each against the real command as its own process:
 * exit status 1, and on stderr exactly one line (stdout keeps the JSON log of `start`) that says what
 * is wrong and what to do, with no stack trace anywhere.
 */

type Result = Awaited<ReturnType<typeof runCli>>;

function assertOneLine(r: Result, ...says: RegExp[]): void {
  const shown = `exit ${r.code}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(-2000)}`;
  assert.equal(r.code, 1, shown);
  assert.match(r.stderr, /^ovms-server: [^\n]+\n$/, `exactly one line on stderr\n${shown}`);
  assert.doesNotMatch(`${r.stderr}${r.stdout}`, /\n\s+at /, `no stack trace\n${shown}`);
  for (const s of says) assert.match(r.stderr, s, shown);
}

/** `start` on loopback with every port off but those given. */
function start(db: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return runCli(['start', '--db', db, '--host', '127.0.0.1', ...args], {
    OVMS_PORT: '0',
    OVMS_TLS_PORT: '0',
    OVMS_HTTP_PORT: '0',
    OVMS_HTTPS_PORT: '0',
    ...env,
  });
}

let dir: string;
let sqlite: string;
let taken: net.Server;
let takenPort: number;
let closedPort: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ovms-startup-'));
  sqlite = `sqlite:${join(dir, 'ovms.db')}`;
  taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as net.AddressInfo).port;
  closedPort = await freePort();
});

after(() => {
  taken.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('start-up failures an operator can cause: one line, exit 1', {
  concurrency: 4,
  timeout: 120_000,
}, () => {
  test('the protocol v2 port already in use names the port and how to change it', async () => {
    assertOneLine(
      await start(sqlite, ['--port', String(takenPort)]),
      new RegExp(`port ${takenPort} \\(protocol v2\\) is already in use on 127\\.0\\.0\\.1`),
      /--port, OVMS_PORT or server\.port in the config file/,
    );
  });

  test('the HTTP port already in use, in the demo too; the v2 port opened before is closed again', async () => {
    const said = [/\(HTTP API\) is already in use/, /--http-port, OVMS_HTTP_PORT or server\.http_port/];
    // The process ends (runCli waits for it): nothing it opened keeps it alive.
    assertOneLine(
      await start(sqlite, ['--port', String(await freePort()), '--http-port', String(takenPort)]),
      ...said,
    );
    const demoDb = `sqlite:${join(dir, 'demo.db')}`;
    assertOneLine(
      await runCli(['demo', '--db', demoDb, '--port', '0', '--http-port', String(takenPort)]),
      ...said,
    );
  });

  test('a listen address that is not on this machine', async () => {
    assertOneLine(
      await start(sqlite, ['--host', '192.0.2.1', '--port', String(closedPort)]),
      /address 192\.0\.2\.1 is not an address of this machine/,
      /the listen address \(--host, OVMS_HOST or server\.host in the config file\)/,
    );
  });

  test('PostgreSQL unreachable: the URL without its password, and what to do', async () => {
    const r = await runCli(['owner', 'list', '--db', `postgres://ovms:s3cret@127.0.0.1:${closedPort}/ovms`]);
    assertOneLine(
      r,
      new RegExp(`cannot reach the database postgres://ovms:\\*\\*\\*@127\\.0\\.0\\.1:${closedPort}/ovms`),
      /connection refused/,
      /start the database server .* the database URL \(--db, OVMS_DB or database\.url/,
    );
    assert.doesNotMatch(r.stderr, /s3cret/);
  });

  test('a PostgreSQL user that does not exist', async () => {
    assertOneLine(
      await runCli(['db', 'migrate', '--db', 'postgres://nosuchuser@127.0.0.1:5432/postgres']),
      /refused the login of user "nosuchuser"/,
      /fix the user name and password in the database URL/,
    );
  });

  test('a PostgreSQL database that does not exist, from start, and its cause at log level debug', async () => {
    const url = new URL(POSTGRES_ADMIN_URL);
    url.pathname = `/${uniqueName('nosuchdb')}`;
    const said = [/the database "nosuchdb_\w+" named in .* does not exist: create it/];
    assertOneLine(await start(url.toString()), ...said);
    const debug = await runCli(['owner', 'list', '--db', url.toString()], { OVMS_LOG_LEVEL: 'debug' });
    assert.equal(debug.code, 1);
    assert.match(debug.stderr, /^ovms-server: the database "nosuchdb_\w+" named in .*\n.*\n\s+at /);
  });

  test('a PostgreSQL role without the right to create tables', async (t) => {
    const role = uniqueName('norights');
    await postgresAdmin(async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN`);
      await c.query(`CREATE DATABASE ${role}`);
    });
    t.after(() =>
      postgresAdmin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${role} WITH (FORCE)`);
        await c.query(`DROP ROLE IF EXISTS ${role}`);
      }),
    );
    const url = new URL(POSTGRES_ADMIN_URL);
    url.username = role;
    url.pathname = `/${role}`;
    await postgresAdmin((c) => c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC'), url.toString());
    assertOneLine(
      await runCli(['owner', 'list', '--db', url.toString()]),
      new RegExp(`the database user "${role}" may not .* \\(permission denied for schema public\\)`),
      new RegExp(`GRANT CREATE, USAGE ON SCHEMA public TO ${role}`),
    );
  });

  test('a wrong MariaDB password, and a MariaDB user without the right to create tables', async (t) => {
    const user = uniqueName('norights');
    await mysqlAdmin(async (c) => {
      await c.query(`CREATE DATABASE ${user}`);
      await c.query(`CREATE USER '${user}'@'%'`);
      await c.query(`GRANT SELECT ON ${user}.* TO '${user}'@'%'`);
    });
    t.after(() =>
      mysqlAdmin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${user}`);
        await c.query(`DROP USER IF EXISTS '${user}'@'%'`);
      }),
    );
    const [wrong, denied] = await Promise.all([
      runCli(['vehicle', 'list', '--db', 'mysql://root:wrong-password@127.0.0.1:3306/mysql']),
      runCli(['owner', 'list', '--db', `mariadb://${user}@127.0.0.1:3306/${user}`]),
    ]);
    assertOneLine(wrong, /mysql:\/\/root:\*\*\*@127\.0\.0\.1:3306\/mysql refused the login of user "root"/);
    assert.doesNotMatch(wrong.stderr, /wrong-password/);
    assertOneLine(
      denied,
      new RegExp(`the database user "${user}" may not .*CREATE command denied`),
      new RegExp(`GRANT ALL ON ${user}\\.\\* TO '${user}'@'%'`),
    );
  });

  test('an SQLite path that cannot be created, and an unknown database URL scheme', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'not a folder');
    const [underFile, scheme] = await Promise.all([
      runCli(['owner', 'list', '--db', `sqlite:${file}/ovms.db`]),
      runCli(['db', 'status', '--db', 'sqlite3:/var/ovms.db']),
    ]);
    assertOneLine(
      underFile,
      new RegExp(`cannot create the SQLite database ${file}/ovms\\.db: ${file} is a file, not a folder`),
      /choose another path in the database URL \(--db, OVMS_DB/,
    );
    assertOneLine(scheme, /unsupported database URL scheme "sqlite3:"/, /fix the database URL \(--db/);
  });

  test('an unmigrated database with database.migrate off', async () => {
    const env = { OVMS_DB_MIGRATE: 'false', OVMS_SECRETS_KEY: 'ab'.repeat(32) };
    assertOneLine(
      await runCli(['owner', 'list', '--db', `sqlite:${join(dir, 'unmigrated.db')}`], env),
      /^ovms-server: the database schema is version 0, this ovms-server needs \d+, and database\.migrate is off: run "ovms-server db migrate"/,
    );
  });

  test('a config file with a TOML syntax error names the line', async () => {
    const config = join(dir, 'broken.toml');
    writeFileSync(config, '[server]\nport = 6867\nhost = "::\n');
    assertOneLine(
      await runCli(['owner', 'list', '--config', config]),
      new RegExp(`${config} line 3, column \\d+: not valid TOML \\(.+\\): fix that line`),
    );
  });

  test('TLS: a certificate file that cannot be read, a key that does not match', async (t) => {
    const [one, two] = [makeTestCertificate(), makeTestCertificate()];
    t.after(() => {
      rmSync(one.dir, { recursive: true, force: true });
      rmSync(two.dir, { recursive: true, force: true });
    });
    const tls = (cert: string, key: string) =>
      start(sqlite, [], { OVMS_TLS_CERT: cert, OVMS_TLS_KEY: key, OVMS_TLS_PORT: String(closedPort) });
    const [missing, mismatch] = await Promise.all([
      tls(join(dir, 'no-such-cert.pem'), one.key),
      tls(one.cert, two.key),
    ]);
    assertOneLine(
      missing,
      /cannot read the TLS certificate .*no-such-cert\.pem \(ENOENT/,
      /fix OVMS_TLS_CERT or tls\.cert in the config file/,
    );
    assertOneLine(
      mismatch,
      /the TLS key .* does not belong to the certificate .*: set tls\.cert and tls\.key to a matching pair/,
    );
  });

  test('the Redis bus unreachable', async () => {
    const r = await start(sqlite, ['--bus', `redis://:bus-secret@127.0.0.1:${closedPort}`]);
    assertOneLine(
      r,
      new RegExp(
        `cannot reach the Redis bus redis://:\\*\\*\\*@127\\.0\\.0\\.1:${closedPort}: connection refused`,
      ),
      /the bus URL \(--bus, OVMS_BUS or bus\.url in the config file\), or leave it empty/,
    );
    assert.doesNotMatch(r.stderr, /bus-secret/);
  });
});
