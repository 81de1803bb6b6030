import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderConfigDoc } from '../scripts/config-doc.js';
import { SETTINGS } from '../src/config/settings.js';

test('docs/configuration.md lists every setting (regenerate with npm run docs:config)', () => {
  const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(doc, renderConfigDoc());
  for (const s of SETTINGS) assert.ok(doc.includes(`\`${s.env}\``), s.key);
});
