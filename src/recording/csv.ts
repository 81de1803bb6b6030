/** CSV (RFC 4180) of flat rows: nested objects become `parent.child` columns. Pure. */

type Cell = string | number | boolean | null | undefined;

/** `{ from: { lat: 1 } }` → `{ 'from.lat': 1 }`. */
export function flatten(row: object, prefix = '', out: Record<string, Cell> = {}): Record<string, Cell> {
  for (const [key, value] of Object.entries(row)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value, name, out);
    else if (!Array.isArray(value)) out[name] = value as Cell;
  }
  return out;
}

function cell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly Cell[]): string {
  return `${values.map(cell).join(',')}\r\n`;
}

/** The lines of `rows` under `columns` (a missing column is an empty cell). */
export function csvRows(columns: readonly string[], rows: readonly object[]): string {
  return rows
    .map((row) => {
      const flat = flatten(row);
      return csvLine(columns.map((c) => flat[c]));
    })
    .join('');
}
