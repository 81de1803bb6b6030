/**
 * Permission strings as the reference keeps them: '*' is everything, otherwise a comma-separated
 * list of rights. Rights in use: `v2` (protocol scheme 1), `session` (HTTP cookie), `token.admin` /
 * `admin` (token management), `v3` / `mqtt` (broker auth), `auth` (the read-only default of a new
 * API token). `none` is refused everywhere.
 */
export const ALL = '*';

export function isPermitted(perms: string, ...rights: string[]): boolean {
  const p = perms.trim();
  if (p === ALL) return true;
  const have = new Set(
    p
      .split(',')
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean),
  );
  return rights.some((r) => have.has(r.toLowerCase()));
}

export function isRefused(perms: string): boolean {
  const p = perms.trim().toLowerCase();
  return p === '' || p === 'none';
}
