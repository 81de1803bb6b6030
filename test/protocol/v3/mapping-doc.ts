import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeCommand } from '../../../src/protocol/messages/index.js';
import {
  BRIDGE_PROVIDED_METRICS,
  COMMAND_EXAMPLES,
  type CommandTranslation,
  DOOR_BITS,
  historyFromDataNotification,
  type InverseField,
  MILES_PER_KM,
  PSI_PER_KPA,
  pushFromNotification,
  type ShellReply,
  TPMS_INVERSE,
  TPMS_SOURCES,
  translateCommand,
  V2_FIELD_MAPS,
  V2_INVERSE_MAPS,
  V2_UNAVAILABLE_METRICS,
  type V2FieldSpec,
} from '../../../src/protocol/v3/index.js';

/**
 * Renders docs/v3-mapping.md from the tables in src/protocol/v3, so the document cannot drift from
 * the code (mapping-doc.test.ts compares them). Regenerate with
 * `node --import tsx test/protocol/v3/mapping-doc.ts --write`.
 */

const DOC = new URL('../../../docs/v3-mapping.md', import.meta.url);

const cell = (text: string) => (text === '' ? '' : text.replaceAll('|', '\\|'));
const code = (text: string) => (text === '' ? 'empty' : `\`${text.replaceAll('|', '\\|')}\``);
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n');
}

const MESSAGE_TITLES: Readonly<Record<keyof typeof V2_FIELD_MAPS, string>> = {
  S: '`S` status',
  D: '`D` environment',
  L: '`L` location',
  F: '`F` firmware and identity',
  W: '`W` legacy TPMS (sent right after every `Y`)',
  X: '`X` generator / export power',
};

function messageSection(key: keyof typeof V2_FIELD_MAPS): string {
  const forward: readonly V2FieldSpec[] = V2_FIELD_MAPS[key];
  const inverse: readonly InverseField[] = V2_INVERSE_MAPS[key];
  const rows = forward.map((field, i) => {
    const back = inverse[i]!;
    const fromV2 = back.metrics.length === 0 ? `none: ${back.how}` : back.how;
    return [
      String(field.index),
      code(field.field),
      field.sources.map(code).join(', ') || '—',
      cell(field.format),
      code(field.missing),
      cell(fromV2),
    ];
  });
  const header = ['#', 'v2 field', 'metrics', 'metrics → v2', 'never received', 'v2 car → metrics'];
  return `### ${MESSAGE_TITLES[key]}, ${forward.length} fields\n\n${table(header, rows)}`;
}

function doorSection(): string {
  const fields = { doors1: 'D1', doors2: 'D2', doors3: 'D12', doors4: 'D16', doors5: 'D18' } as const;
  const rows = Object.entries(DOOR_BITS).map(([name, bits]) => [
    `${name} (${fields[name as keyof typeof fields]})`,
    ...Array.from({ length: 8 }, (_, n) => (bits[n] === undefined ? '0' : code(bits[n]!))),
  ]);
  return table(['byte', ...Array.from({ length: 8 }, (_, n) => `bit ${n}`)], rows);
}

function tpmsSection(): string {
  const rows = TPMS_INVERSE.map((group) => [
    group.group,
    group.metric === undefined
      ? group.group === 'wheel names'
        ? 'the layout (default FL, FR, RL, RR)'
        : '`0,-1`'
      : code(group.metric),
    group.metric === undefined ? 'none' : `${code(group.metric)}, empty elements → \`nan\``,
  ]);
  return [
    `### \`Y\` TPMS (sources: ${TPMS_SOURCES.map(code).join(', ')})`,
    '',
    'Groups in this order; each vector group is its element count, the elements (`nan` → empty field;',
    'pressure, temperature and health with one decimal, alerts as integers), then the validity:',
    '1 while the module is online, 0 offline, and `0,-1` for a metric never received.',
    '',
    table(['group', 'metrics → v2', 'v2 car → metrics'], rows),
  ].join('\n');
}

const REPLIES: Readonly<Record<ShellReply, string>> = {
  result: '`c<n>,0`, or `c<n>,1` when a step failed',
  'always-ok': '`c<n>,0`',
  output: '`c<n>,0,<mp(output)>`',
  'config-set': '`c<n>,0,` or `c<n>,1,<first line>`',
  'script-bool': '`c<n>,0` if it prints `true`, else `c<n>,1`',
  ussd: '`c41,0`, or `c41,1,<text>` on `ERROR`',
  modem: '`c49,0,<output>`; `ERROR` → `c49,1,<output>`; empty → `c49,1,Timeout/no response`',
  none: 'no reply',
};

function commandCells(translation: CommandTranslation): [string, string] {
  switch (translation.kind) {
    case 'shell':
      return [translation.lines.map(code).join(', then '), REPLIES[translation.reply]];
    case 'config-list': {
      const keys = translation.entries.flatMap((entry) =>
        entry.config === undefined ? [] : [`${entry.key} \`${entry.config.param}/${entry.config.instance}\``],
      );
      return [
        `\`request/config\`: ${keys.join(', ')}`,
        `32 lines \`c${translation.command},0,<k>,32,<value>\``,
      ];
    }
    case 'reply':
    case 'unsupported':
      return ['none', translation.lines.map(code).join(', ')];
    case 'server':
      return ['none', 'answered by the server from its own data'];
  }
}

function commandSection(): string {
  const rows = COMMAND_EXAMPLES.map(([line, note]) => {
    const command = decodeCommand(line.slice(1));
    if (command.kind !== 'command') throw new Error(`bad example ${line}`);
    return [code(line), ...commandCells(translateCommand(command)), cell(note)];
  });
  return table(['v2 command', 'v3 shell line', 'reply to the app', 'note'], rows);
}

function notificationSection(): string {
  const data = historyFromDataNotification('57', '-3', '*-LOG-Trip,0,31536000,12.3,a,b');
  const record = data.ok ? data.record : undefined;
  const rows = [
    [
      '`notify/alert/charge/stopped`',
      '`Charge stopped, 80%`',
      code(`P${pushFromNotification('alert', 'charge.stopped', 'Charge stopped, 80%')}`),
    ],
    [
      '`notify/info/x`',
      '`line 1` LF `line 2`',
      code(`P${pushFromNotification('info', 'x', 'line 1\nline 2').replace('\r', '\\r')}`),
    ],
    [
      '`notify/error/code`',
      '`TR,24,0000002a`',
      code(`P${pushFromNotification('error', 'code', 'TR,24,0000002a')}`),
    ],
    [
      '`notify/data/log/trip/57/-3`',
      '`*-LOG-Trip,0,31536000,12.3,a,b`',
      `record: ack \`${record?.ack}\`, time diff \`${record?.timeDiff}\`, type \`${record?.type}\`, number \`${record?.recordNumber}\`, lifetime \`${record?.lifetime}\`, data \`${record?.data}\``,
    ],
  ];
  return table(['v3 topic (after the prefix)', 'payload', 'v2'], rows);
}

export function renderMappingDoc(): string {
  const bridge = Object.entries(BRIDGE_PROVIDED_METRICS).map(([name, how]) => `- ${code(name)}: ${how}.`);
  return `${[
    '# Protocol v3 ↔ v2 mapping',
    '',
    '<!-- Generated from src/protocol/v3 by `node --import tsx test/protocol/v3/mapping-doc.ts --write`;',
    '     test/protocol/v3/mapping-doc.test.ts fails when it is out of date. Do not edit by hand. -->',
    '',
    'How the server shows a protocol v3 (MQTT) car to v2 apps and a v2 car to v3 consumers. The code',
    'is in [src/protocol/v3](../src/protocol/v3/index.ts): pure functions, no sockets. Metric values',
    'travel in their native units (km, km/h, °C, kPa, kWh, kW); a v3 topic is',
    '`<prefix>metric/<name with . → />`, the prefix `ovms/<user>/<vehicle id>/` by default.',
    '',
    '## Conventions',
    '',
    `- **dist**: km unchanged for a km car; miles = km × ${MILES_PER_KM} for a miles car (S field 2`,
    '  says which; for a v3 car it is the vehicle setting). **speed**: the same for km/h.',
    '- **fixN**: N decimals; **g6**: 6 significant digits (C++ default); **int**: truncated toward zero;',
    '  **b01**: Bool as 1/0; **mp**: commas → `;`, line breaks → CR. Text fields are always MP-encoded',
    '  so that a comma cannot shift the fields after it.',
    '- **never received**: what the firmware sends when a metric is undefined.',
    '- **Stale flags** are not carried by MQTT: -1 when never received, 1 while the module is online,',
    '  0 while offline.',
    '- **v2 car → metrics**: what a v2 car message gives when published as v3 metrics (float text with',
    '  up to 12 significant digits, dates as `YYYY-MM-DD HH:MM:SS UTC`). Fields marked "none" give',
    '  no metric; sentinels (`-1` for unknown, empty texts) give none either.',
    '',
    '## v2 messages',
    '',
    ...(['S', 'D', 'L', 'F'] as const).flatMap((key) => [messageSection(key), '']),
    '### Door bytes (D)',
    '',
    'A set bit means the Bool metric is `yes`; bits without a metric are always 0 (doors5 bit 2 is the',
    'frunk, which no metric reports).',
    '',
    doorSection(),
    '',
    tpmsSection(),
    '',
    messageSection('W'),
    '',
    `Pressures: psi = kPa × ${PSI_PER_KPA}. A v2 car's \`W\` is used only when it sends no \`Y\`.`,
    '',
    messageSection('X'),
    '',
    '## Commands (v2 `C` → v3 shell → v2 `c`)',
    '',
    'The bridge publishes each shell line on `client/<cid>/command/<id>` and reads the output on',
    '`client/<cid>/response/<id>`. A step fails when the first output line starts with `Error:`,',
    '`ERROR:`, `Unrecognised command`, `Subcommand required` or `Usage:`. Parameters are checked',
    'first (digits for PINs, amps and modes; no line breaks), so nothing can add a shell command.',
    '',
    commandSection(),
    '',
    '## Notifications',
    '',
    'The subtype has no place in v2 and is dropped. Error texts stay unencoded (line breaks become CR);',
    'data records are stored as v2 `h` records (the MQTT PUBREC is the acknowledgement). The USSD',
    'answer (`notify/info/modem/received/ussd`) also gives the unsolicited `c41,0,<reply>`.',
    '',
    notificationSection(),
    '',
    '## Metrics a v2 car cannot provide',
    '',
    'No v2 message carries these standard metrics, so they are never published for a v2 car:',
    '',
    V2_UNAVAILABLE_METRICS.map(code).join(', '),
    '',
    'Published by the bridge from the connection rather than from a message:',
    '',
    ...bridge,
  ].join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  writeFileSync(DOC, renderMappingDoc());
}
