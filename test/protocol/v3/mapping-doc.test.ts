import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderMappingDoc } from './mapping-doc.js';

test('docs/v3-mapping.md matches the code tables (regenerate: node --import tsx test/protocol/v3/mapping-doc.ts --write)', () => {
  const doc = readFileSync(new URL('../../../docs/v3-mapping.md', import.meta.url), 'utf8');
  assert.equal(doc, renderMappingDoc());
});
