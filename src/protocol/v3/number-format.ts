/**
 * Number formatting as the OVMS firmware prints it (V3.md §3.4 and the primitives of §5.0), so that
 * v2 fields built from v3 metrics read the same as the module's own v2 lines. Non-finite values
 * print the way C does (`nan`, `inf`, `-inf`).
 */

function nonFinite(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  return value < 0 ? '-inf' : 'inf';
}

function stripTrailingZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * C++ default stream formatting (`%g` with 6 significant digits): trailing zeros dropped, exponent
 * form (`1.23457e+06`, two-digit exponent at least) below 1e-4 and from 1e6 up. `g6` in V3.md.
 */
export function formatG6(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  if (value === 0) return '0';
  const [mantissa = '', exponentText = '0'] = value.toExponential(5).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const digits = String(Math.abs(exponent)).padStart(2, '0');
    return `${stripTrailingZeros(mantissa)}e${exponent < 0 ? '-' : '+'}${digits}`;
  }
  return stripTrailingZeros(value.toFixed(5 - exponent));
}

/** Fixed point with `decimals` decimals (`%.Nf`); `fixN` in V3.md. */
export function formatFixed(value: number, decimals: number): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : nonFinite(value);
}

/**
 * Truncation toward zero, as a C cast from float to int (`int` in V3.md). Values arrive as decimal
 * text and go through unit factors, so `45678.9 × 10` may land a hair below 456789 in binary
 * floating point: a value within 1e-9 (relative, at most 1e-6) of an integer is taken as that
 * integer, far below the 6 significant digits the module sends. Non-finite values give 0.
 */
export function truncateToInt(value: number): number {
  if (!Number.isFinite(value)) return 0;
  const nearest = Math.round(value);
  const tolerance = Math.min(Math.abs(value) * 1e-9, 1e-6);
  const result = Math.abs(value - nearest) <= tolerance ? nearest : Math.trunc(value);
  return result === 0 ? 0 : result;
}

/** `int` in V3.md: the truncated value as a decimal integer. */
export function formatInt(value: number): string {
  return String(truncateToInt(value));
}

/** Lower-case hexadecimal without prefix, negative values as 32-bit two's complement (C `%x`). */
export function formatHex(value: number): string {
  return (truncateToInt(value) >>> 0).toString(16);
}

/**
 * A float metric value as this server publishes it on a v3 topic: up to 12 significant digits
 * (more than the firmware's 6, so that values converted from v2 units convert back exactly),
 * shortest form, `nan`/`inf` for non-finite values.
 */
export function formatMetricFloat(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const rounded = Number(value.toPrecision(12));
  return rounded === 0 ? '0' : String(rounded);
}
