import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vehicle error code tables (`*.vece`): INI sections per vehicle type, `code=text` lines, where the
 * text may hold printf placeholders (`%d`, `%%`). All files are merged, as the Perl server does.
 */
export type VeceTables = Map<string, Map<number, string>>;

/** The tables shipped with ovms-server: src/push/vece (also found from the built dist/push). */
export function defaultVeceDir(): string {
  const candidates = [
    fileURLToPath(new URL('./vece/', import.meta.url)),
    fileURLToPath(new URL('../../src/push/vece/', import.meta.url)),
  ];
  return candidates.find((dir) => existsSync(dir)) ?? (candidates[0] as string);
}

export function parseVece(text: string, into: VeceTables = new Map()): VeceTables {
  let section: Map<number, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      const name = header[1].trim().toUpperCase();
      section = into.get(name) ?? new Map();
      into.set(name, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 1) continue;
    const code = Number(line.slice(0, eq).trim());
    if (Number.isInteger(code)) section.set(code, line.slice(eq + 1).trim());
  }
  return into;
}

export function loadVece(dir: string = defaultVeceDir()): VeceTables {
  const tables: VeceTables = new Map();
  if (!existsSync(dir)) return tables;
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.vece')) parseVece(readFileSync(join(dir, file), 'utf8'), tables);
  }
  return tables;
}

/** printf with the one kind of argument an error code has: an integer (`%d`, `%i`, `%u`, `%x`, `%%`). */
function fill(template: string, data: number): string {
  return template.replace(/%(-?\d*)([diuxX%])/g, (_m, width: string, kind: string) => {
    if (kind === '%') return '%';
    const text =
      kind === 'x' ? data.toString(16) : kind === 'X' ? data.toString(16).toUpperCase() : String(data);
    const n = Number(width);
    return width && n > 0 ? text.padStart(n) : width && n < 0 ? text.padEnd(-n) : text;
  });
}

/**
 * An `E` alert's text (`<vehicletype>,<code>,<data>`) as the Perl server words it: the code is looked
 * up for the vehicle type, then ever-shorter prefixes of it (`TR1` → `TR` → `T`).
 */
export function expandErrorAlert(tables: VeceTables, text: string): string {
  const [vehicleType = '', codeText = '', dataText = ''] = text.split(',');
  const code = Math.trunc(Number(codeText)) || 0;
  const data = Math.trunc(Number(dataText)) || 0;
  for (let type = vehicleType.trim().toUpperCase(); type.length > 0; type = type.slice(0, -1)) {
    const template = tables.get(type)?.get(code);
    if (template !== undefined) return `Vehicle Alert #${code}: ${fill(template, data)}`;
  }
  const hex = (data >>> 0).toString(16).padStart(8, '0');
  return `Vehicle Alert Code: ${vehicleType}/${code} (${hex})`;
}
