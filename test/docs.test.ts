import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderConfigDoc } from '../scripts/config-doc.js';
import { SETTINGS } from '../src/config/settings.js';

test('docs/configuration.md lists every setting (regenerate with npm run docs:config)', () => {
  const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
  assert.equal(doc, renderConfigDoc());
  for (const s of SETTINGS) assert.ok(doc.includes(`\`${s.env}\``), s.key);
});

test('every relative link in the README, the changelog and docs/ points at a file of the repository', () => {
  const root = new URL('../', import.meta.url);
  const pages = ['README.md', 'CHANGELOG.md', ...readdirSync(new URL('docs/', root)).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages.filter((p) => p.endsWith('.md'))) {
    const text = readFileSync(new URL(page, root), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target!) || target!.startsWith('#')) continue;
      const file = target!.split('#')[0]!;
      if (!existsSync(new URL(file, new URL(page, root)))) broken.push(`${page}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});
