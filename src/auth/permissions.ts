/**
 * Permission strings as the reference keeps them: '*' is everything, otherwise a comma-separated
 * list of rights. `none` (or an empty permit) is refused everywhere.
 *
 * Rights (docs/http-api.md, "Rights"):
 * - `vehicle.read` < `vehicle.control` < `vehicle.shell`: what a credential may do with the owner's
 *   vehicles (each includes the ones before it). Every accepted credential reads; control and shell
 *   must be granted.
 * - `session` (HTTP cookie), `token.admin` / `admin` (token management), `v2` (protocol scheme 1),
 *   `v3` / `mqtt` (broker auth): the reference's rights, checked as before.
 * - `auth`: the reference's default of a new API token; reads.
 *
 * A permit that names no `vehicle.*` right is an old-style one (every token the reference or earlier
 * versions made): `v2` in it gives `vehicle.shell`, what a scheme-1 app has always been able to do
 * (every command, including the shell); otherwise it reads. A permit that names a `vehicle.*` right
 * gets exactly that level, so `v2,vehicle.read` logs in by scheme 1 and only reads.
 */
export const ALL = '*';

export const VEHICLE_RIGHTS = ['vehicle.read', 'vehicle.control', 'vehicle.shell'] as const;
export type VehicleRight = (typeof VEHICLE_RIGHTS)[number];

/** Every right a permit may name. */
export const KNOWN_RIGHTS: readonly string[] = [
  ...VEHICLE_RIGHTS,
  'auth',
  'session',
  'token.admin',
  'admin',
  'v2',
  'v3',
  'mqtt',
];

/** Rights that cover another one: holding the key is enough to grant the values. */
const COVERS: Record<string, readonly string[]> = {
  admin: ['token.admin'],
  mqtt: ['v3'],
  v3: ['mqtt'],
};

function namedRights(perms: string): Set<string> {
  return new Set(
    perms
      .split(',')
      .map((r) => r.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function isRefused(perms: string): boolean {
  const p = perms.trim().toLowerCase();
  return p === '' || p === 'none';
}

/** 0 (nothing: refused) to 3 (`vehicle.shell`): what the permit may do with the owner's vehicles. */
export function vehicleLevel(perms: string): number {
  if (isRefused(perms)) return 0;
  if (perms.trim() === ALL) return VEHICLE_RIGHTS.length;
  const have = namedRights(perms);
  const named = Math.max(0, ...VEHICLE_RIGHTS.map((r, i) => (have.has(r) ? i + 1 : 0)));
  if (named > 0) return named;
  return have.has('v2') ? VEHICLE_RIGHTS.length : 1;
}

function levelOf(right: string): number {
  return VEHICLE_RIGHTS.indexOf(right as VehicleRight) + 1;
}

/** True when the permit holds any one of `rights`. */
export function isPermitted(perms: string, ...rights: string[]): boolean {
  const p = perms.trim();
  if (p === ALL) return true;
  const have = namedRights(p);
  return rights.some((r) => {
    const right = r.toLowerCase();
    const level = levelOf(right);
    return level > 0 ? vehicleLevel(p) >= level : have.has(right);
  });
}

/** Why a permit cannot be stored (unknown right, `*` or `none` in a list), or undefined when it can. */
export function permitProblem(perms: string): string | undefined {
  const p = perms.trim();
  if (p === ALL || p.toLowerCase() === 'none') return undefined;
  const have = namedRights(p);
  if (have.size === 0) return 'the permit is empty';
  for (const r of have) {
    if (r === ALL || r === 'none') return `"${r}" must stand alone`;
    if (!KNOWN_RIGHTS.includes(r)) return `unknown right "${r}" (known: *, none, ${KNOWN_RIGHTS.join(', ')})`;
  }
  return undefined;
}

/**
 * The first right of `wanted` that `holder` does not have (so may not grant), or undefined when
 * every one is covered. `auth` and `none` grant nothing beyond reading; vehicle rights compare by
 * level, so a token that reads cannot make one that controls, and `v2` alone (shell) needs shell.
 */
export function missingRight(holder: string, wanted: string): string | undefined {
  if (holder.trim() === ALL) return undefined;
  if (wanted.trim() === ALL) return ALL;
  if (isRefused(wanted)) return undefined;
  const level = vehicleLevel(wanted);
  if (level > vehicleLevel(holder)) return VEHICLE_RIGHTS[level - 1];
  const have = namedRights(holder);
  const covered = new Set([...have, ...[...have].flatMap((r) => COVERS[r] ?? [])]);
  for (const r of namedRights(wanted)) {
    if (r === 'auth' || levelOf(r) > 0) continue;
    if (!covered.has(r)) return r;
  }
  return undefined;
}
