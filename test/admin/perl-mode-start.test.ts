import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { createPerlDatabase } from '../helpers/perl-database.js';

const ROOT = new URL('../../', import.meta.url).pathname;

test('start on a Perl server database: the log says Perl mode, and warns that secrets.key is not used', async (t) => {
  const perl = await createPerlDatabase();
  t.after(() => perl.drop());
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/ovms-server.ts',
      'start',
      '--db',
      perl.url,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        OVMS_TLS_PORT: '0',
        OVMS_HTTP_PORT: '0',
        OVMS_SECRETS_KEY: '0123456789abcdef'.repeat(4),
      },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const lines: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const complete = buffer.split('\n');
      buffer = complete.pop() ?? '';
      for (const line of complete) lines.push(JSON.parse(line));
      if (lines.some((l) => String(l.msg).includes('listening'))) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${JSON.stringify(lines)}`)));
  });
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
