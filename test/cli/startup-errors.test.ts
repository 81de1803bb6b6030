import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  busProblem,
  databaseProblem,
  explaining,
  LISTENERS,
  listenProblem,
  StartupError,
  stackWanted,
  tlsFilesProblem,
} from '../../src/cli/startup-errors.js';
import { SchemaNewerError } from '../../src/store/schema-newer-error.js';
import { createSecretBox } from '../../src/store/secret-box.js';
import { makeTestCertificate } from '../helpers/tls-cert.js';

/**
 * The sentences for failures this machine cannot stage for a spawned process (it runs as root, with
 * IPv6 on, a trusting PostgreSQL and a Redis without password); test/admin/startup-errors.test.ts
 * covers the others end to end.
 */

const failure = (code: string, message = code) => Object.assign(new Error(message), { code });

test('a port that needs privileges, IPv6 switched off, and an unknown reason', () => {
  assert.equal(
    listenProblem(failure('EACCES'), 443, '::', LISTENERS.https),
    'port 443 (HTTPS API) needs privileges this user does not have (ports below 1024): choose a port ' +
      'from 1024 up with --https-port, OVMS_HTTPS_PORT or server.https_port in the config file, or allow ' +
      'node to open low ports (setcap cap_net_bind_service=+ep on the node binary, or AmbientCapabilities ' +
      'in the systemd unit)',
  );
  assert.match(
    listenProblem(failure('EAFNOSUPPORT'), 6867, '::', LISTENERS.v2),
    /^address :: cannot be used here, .*IPv6.*: set the listen address \(--host, OVMS_HOST or server\.host in the config file\) to 0\.0\.0\.0/,
  );
  assert.match(
    listenProblem(failure('EMFILE', 'too many open files'), 6870, '::', LISTENERS.v2tls),
    /^cannot open port 6870 \(protocol v2 over TLS\) on all addresses \(too many open files\): check --tls-port/,
  );
  // A later listener that must not stop the server (it logs the sentence) names its own setting.
  assert.match(
    listenProblem(failure('EADDRINUSE'), 1883, '::', {
      what: 'MQTT',
      setting: { flag: '--mqtt-port', env: 'OVMS_MQTT_PORT' },
    }),
    /^port 1883 \(MQTT\) is already in use on all addresses: .* --mqtt-port or OVMS_MQTT_PORT$/,
  );
  assert.match(
    listenProblem(failure('EADDRINUSE'), 9464, '127.0.0.1', LISTENERS.metrics),
    /^port 9464 \(Prometheus metrics\) is already in use on 127\.0\.0\.1: .* OVMS_METRICS_LISTEN or metrics\.listen in the config file$/,
  );
});

test('database logins, access rules, limits and timeouts said in one line, the password hidden', () => {
  const pg = 'postgres://ovms:pa55@db.example:5432/ovms';
  const cases: [Error, RegExp][] = [
    [
      failure('28P01', 'password authentication failed for user "ovms"'),
      /^the database postgres:\/\/ovms:\*\*\*@db\.example:5432\/ovms refused the login of user "ovms" \(password authentication failed/,
    ],
    [
      failure('28000', 'no pg_hba.conf entry for host "10.0.0.5", user "ovms"'),
      /does not accept connections from this machine .*pg_hba\.conf/,
    ],
    [failure('53300', 'sorry, too many clients already'), /has no connection free .* \?pool_max=/],
    [new Error('timeout expired'), /^cannot reach the database .*: no answer \(timed out\)/],
    [failure('ETIMEDOUT', 'connect ETIMEDOUT'), /no answer \(timed out\)/],
    [failure('3F000', 'schema "ovms" does not exist'), /fix \?schema= in the database URL/],
    [
      new Error('something else\nwith a second line'),
      /^cannot use the database .* \(something else\): check the database URL/,
    ],
  ];
  for (const [err, says] of cases) {
    const line = databaseProblem(err, pg);
    assert.match(line, says);
    assert.doesNotMatch(line, /pa55|\n/);
  }
  const refused = Object.assign(new AggregateError([failure('ECONNREFUSED')]), { message: '' });
  assert.match(databaseProblem(refused, pg), /connection refused/);
  assert.match(
    databaseProblem(failure('ER_HOST_NOT_PRIVILEGED'), 'mysql://u:p@h/db'),
    /does not accept connections from this machine .*MariaDB: the user's host part/,
  );
});

test('SQLite: read-only, not a database, damaged, a full disk', () => {
  const url = 'sqlite:/data/ovms.db';
  assert.match(
    databaseProblem(failure('SQLITE_READONLY', 'attempt to write a readonly database'), url),
    /^the SQLite database \/data\/ovms\.db cannot be written \(attempt to write a readonly database\): let the user running ovms-server write the file and its folder/,
  );
  assert.match(
    databaseProblem(Object.assign(failure('EROFS'), { path: '/data' }), url),
    /^cannot create the SQLite database \/data\/ovms\.db: \/data is on a read-only file system/,
  );
  assert.match(
    databaseProblem(Object.assign(failure('EACCES'), { path: '/data' }), url),
    /this user may not write \/data: give the user running ovms-server a folder it may write/,
  );
  assert.match(
    databaseProblem(failure('SQLITE_NOTADB', 'file is not a database'), url),
    /is not an SQLite database/,
  );
  assert.match(databaseProblem(failure('SQLITE_CORRUPT'), url), /is damaged .* restore it from a backup/);
  assert.match(databaseProblem(failure('SQLITE_FULL'), url), /disk .* is full/);
});

test('the Redis bus: a refused login, the password hidden', () => {
  const line = busProblem(new Error('WRONGPASS invalid username-password pair'), 'redis://:hush@bus:6379');
  assert.match(
    line,
    /^the Redis bus redis:\/\/:\*\*\*@bus:6379 refused the login \(WRONGPASS .*\): set its password in the bus URL/,
  );
  assert.doesNotMatch(line, /hush/);
});

test('TLS files: a good pair passes, a file that is not PEM is named', (t) => {
  const cert = makeTestCertificate();
  t.after(() => rmSync(cert.dir, { recursive: true, force: true }));
  assert.equal(tlsFilesProblem({ cert: cert.cert, key: cert.key }), undefined);
  const garbage = join(cert.dir, 'garbage.pem');
  writeFileSync(garbage, 'not PEM\n');
  assert.match(
    tlsFilesProblem({ cert: cert.cert, key: garbage }) ?? '',
    /^the TLS key .*garbage\.pem cannot be used \(.*\): point OVMS_TLS_KEY or tls\.key in the config file at a PEM file/,
  );
  assert.match(
    tlsFilesProblem({ cert: cert.key, key: cert.key }) ?? '',
    /^the TLS certificate .* cannot be used .*certificate chain/,
  );
});

test('errors already said in one line pass through; the driver error is kept as the cause', async () => {
  const newer = new SchemaNewerError(9, 2);
  await assert.rejects(
    explaining(
      () => Promise.reject(newer),
      () => 'not this',
    ),
    (err) => err === newer,
  );
  // A secrets.key of only spaces is the operator's to fix, not the database's.
  await assert.rejects(
    explaining(
      async () => createSecretBox('   '),
      () => 'not this',
    ),
    /^SecretsKeyError: a key of only spaces is not allowed in .*OVMS_SECRETS_KEY: set a random key/,
  );
  const driver = failure('ECONNREFUSED');
  await assert.rejects(
    explaining(
      () => Promise.reject(driver),
      () => 'said',
    ),
    (err) => err instanceof StartupError && err.message === 'said' && err.cause === driver,
  );
});

test('the stack behind the line only at log level debug or trace', () => {
  assert.equal(stackWanted([], {}), false);
  assert.equal(stackWanted([], { OVMS_LOG_LEVEL: 'info' }), false);
  assert.equal(stackWanted([], { OVMS_LOG_LEVEL: 'debug' }), true);
  assert.equal(stackWanted(['start', '--log-level', 'trace'], {}), true);
  assert.equal(stackWanted(['start', '--log-level=debug'], { OVMS_LOG_LEVEL: 'warn' }), true);
  assert.equal(stackWanted(['start', '--log-level', 'warn'], { OVMS_LOG_LEVEL: 'debug' }), false);
});
