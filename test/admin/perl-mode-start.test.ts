import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCli } from '../helpers/cli-process.js';
import { createPerlDatabase } from '../helpers/perl-database.js';

test('start on a Perl server database: the log says Perl mode, and warns that secrets.key is not used', async (t) => {
  const perl = await createPerlDatabase();
  t.after(() => perl.drop());
  const { lines, ports, stderr } = await startCli(t, perl.url, {
    OVMS_SECRETS_KEY: '0123456789abcdef'.repeat(4),
  });
  assert.ok(ports, `the server starts: ${stderr} ${JSON.stringify(lines)}`);
  const ready = lines.find((l) => l.msg === 'database ready');
  assert.equal(ready?.store, 'perl-mysql');
  assert.ok(
    lines.some((l) => String(l.msg).startsWith('Perl mode: running on a Perl-server database as it is')),
    'Perl mode is announced',
  );
  const warning = lines.find((l) => String(l.msg).startsWith('secrets.key is set'));
  assert.equal(warning?.level, 40, 'a warning');
  assert.ok(!JSON.stringify(lines).includes('0123456789abcdef'), 'the key itself is never logged');
});
