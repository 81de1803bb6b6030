import { writeFileSync } from 'node:fs';
import { SETTINGS } from '../src/config/settings.js';

/** Renders docs/configuration.md from the settings table (run: npm run docs:config). */
export function renderConfigDoc(): string {
  const sections = new Map<string, (typeof SETTINGS)[number][]>();
  for (const s of SETTINGS) {
    const section = s.key.split('.')[0]!;
    sections.set(section, [...(sections.get(section) ?? []), s]);
  }
  const out = [
    '# Configuration',
    '',
    '<!-- Generated from src/config/settings.ts by `npm run docs:config`; edit that file, not this one. -->',
    '',
    'Every setting has a default, so the server runs with no configuration at all. Values are taken, from',
    'lowest to highest priority, from: the defaults below, the TOML file given with `--config FILE` (or',
    '`OVMS_CONFIG`), environment variables, and command-line flags of `ovms-server start`. Unknown keys and',
    'values of the wrong type stop the server with a message naming the key.',
    '',
    'Durations are in seconds (fractions allowed).',
    '',
    '```toml',
    '# example ovms-server.toml',
    '[server]',
    'port = 6867',
    '',
    '[tls]',
    'cert = "/etc/letsencrypt/live/ovms.example.com/fullchain.pem"',
    'key = "/etc/letsencrypt/live/ovms.example.com/privkey.pem"',
    '',
    '[database]',
    'url = "sqlite:/var/lib/ovms/ovms.db"',
    '',
    '[secrets]',
    'key = "a long random passphrase, kept out of the database backups"',
    '```',
    '',
  ];
  for (const [section, specs] of sections) {
    out.push(`## [${section}]`, '', '| Key | Environment | Default | Meaning |', '| --- | --- | --- | --- |');
    for (const s of specs) {
      const key = s.key.slice(section.length + 1);
      const def = s.default === '' ? '(empty)' : `\`${String(s.default)}\``;
      out.push(`| \`${key}\` | \`${s.env}\` | ${def} | ${s.help} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

if (process.argv[1]?.endsWith('config-doc.ts')) {
  writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigDoc());
}
