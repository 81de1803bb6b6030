import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open-store.js';
import { runCli, startCli } from '../helpers/cli-process.js';

const REFUSAL =
  'ovms-server: the database schema is version 99, newer than this ovms-server knows (LATEST): ' +
  'a newer ovms-server has upgraded it and downgrades are not supported; run that newer version, ' +
  'or restore the backup taken before the upgrade (docs/operations.md)\n';

test('a database from a newer ovms-server: start and the admin commands refuse it with one line, exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ovms-downgrade-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'ovms.db');
  const db = `sqlite:${path}`;
  const store = await openStore(db);
  const { latest } = await store.migrate();
  await store.close();
  const raw = new Database(path);
  raw
    .prepare("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (99, 'from the future', 0)")
    .run();
  raw.close();
  const refusal = REFUSAL.replace('LATEST', String(latest));

  const started = await startCli(t, db);
  assert.equal(started.ports, undefined, 'the server must not start');
  assert.deepEqual([started.code, started.stderr], [1, refusal]);

  // Also when migrations are left to the operator (database.migrate = false).
  const list = await runCli(['owner', 'list', '--db', db], { OVMS_DB_MIGRATE: 'false' });
  assert.deepEqual([list.code, list.stderr], [1, refusal]);

  const status = await runCli(['db', 'status', '--db', db]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`schema version 99 of ${latest}\\n`));
  assert.match(status.stdout, /newer than this ovms-server knows .* downgrades are not supported/);
});
