import { isTopicSafeName, isUsableVehicleId, printable } from '../../auth/account-names.js';
import { hashPassword, PLAIN_TEXT_PREFIX } from '../../auth/passwords.js';
import type { SqlStore } from '../sql/sql-store.js';
import type { Owner, Store, Vehicle, VehicleRef } from '../store.js';
import { countLiveHistory, liveHistory } from './perl-history-reader.js';

/**
 * `ovms-server import`: copies a Perl server's database (read through a Perl-mode store) into a
 * store of our own schema. Every step is an upsert keyed as the target keys it, so running the
 * import again (say, after more days on the Perl server) copies what changed and duplicates nothing.
 *
 * - Owners whose names cannot be MQTT topic segments ("/", "+", "#", control characters) are
 *   skipped and reported, with their vehicles and tokens; so are vehicles whose ids hold those or a
 *   space. Other names are copied as they are, even where `ovms-server owner add` would refuse them
 *   now (a Drupal name with a space): those owners keep their logins.
 * - Owners are matched by name. Drupal hashes are kept (the owner's next login upgrades them to
 *   scrypt); plain-text (AuthDbSimple) passwords are hashed with scrypt now. A target owner whose
 *   hash is already scrypt keeps it: it was set or upgraded on our side and is the newer one.
 * - Vehicles are matched by id; an id that belongs to another owner in the target is skipped and
 *   reported (our schema keeps vehicle ids unique across owners, the Perl one per owner).
 * - History rows that have expired are not copied; utilisation days already in the target are left
 *   as they are (the target adds counts up, so copying them again would double them) and count as
 *   copied, so a second run reports what the first did.
 */

export type ImportTable =
  | 'owners'
  | 'vehicles'
  | 'messages'
  | 'history'
  | 'utilisation days'
  | 'push subscriptions'
  | 'auto-provisioning'
  | 'API tokens';

export interface ImportCount {
  table: ImportTable;
  /** Rows found in the source. */
  source: number;
  /** Rows written to the target (inserted or updated). */
  copied: number;
  /** Rows not copied, with the reason in `notes`. */
  skipped: number;
}

export interface ImportReport {
  counts: ImportCount[];
  notes: string[];
}

/** Called as rows of `table` are copied: `done` of `total`. */
export type ImportProgress = (table: ImportTable, done: number, total: number) => void;

/** How many days of utilisation to look for (the reference keeps about one; v2 kept a year). */
const UTILISATION_DAYS = 3660;

export async function importPerlDatabase(
  source: SqlStore,
  target: Store,
  progress: ImportProgress = () => {},
  now = new Date(),
): Promise<ImportReport> {
  const notes: string[] = [];
  const counts = new Map<ImportTable, ImportCount>();
  const count = (table: ImportTable, source = 0): ImportCount => {
    let entry = counts.get(table);
    if (!entry) {
      entry = { table, source: 0, copied: 0, skipped: 0 };
      counts.set(table, entry);
    }
    entry.source += source;
    return entry;
  };

  const owners = await source.listOwners();
  const ownerIds = new Map<number, number>();
  for (const [i, owner] of owners.entries()) {
    const entry = count('owners', 1);
    if (isTopicSafeName(owner.name)) {
      ownerIds.set(owner.id, (await upsertOwner(target, owner)).id);
      entry.copied++;
    } else {
      entry.skipped++;
      notes.push(
        `owner "${printable(owner.name)}" skipped with their vehicles and API tokens: the name holds "/", "+", "#" ` +
          "or a control character, which would reach other owners' MQTT topics; rename the owner in the Perl " +
          'database and import again',
      );
    }
    progress('owners', i + 1, owners.length);
  }

  const vehicles = await source.listVehicles();
  const refs: [VehicleRef, VehicleRef][] = [];
  for (const [i, vehicle] of vehicles.entries()) {
    const ownerId = ownerIds.get(vehicle.ownerId);
    const entry = count('vehicles', 1);
    const existing = ownerId === undefined ? undefined : await target.findVehicle(vehicle.vehicleId);
    const skip = vehicleSkipReason(vehicle, ownerId, existing);
    if (skip || ownerId === undefined) {
      entry.skipped++;
      notes.push(skip ?? `vehicle ${printable(vehicle.vehicleId)} skipped`);
    } else {
      refs.push([vehicle, await upsertVehicle(target, vehicle, ownerId, existing)]);
      entry.copied++;
    }
    progress('vehicles', i + 1, vehicles.length);
  }

  const historyTotal = await countLiveHistory(source.pool, now);
  let historyDone = 0;
  for (const [from, to] of refs) {
    for (const message of await source.getMessages(from)) {
      await target.saveMessage(to, message);
      count('messages', 1).copied++;
    }
    for await (const page of liveHistory(source.pool, from, now)) {
      await Promise.all(page.map((record) => target.addHistory(to, record)));
      count('history', page.length).copied += page.length;
      historyDone += page.length;
      progress('history', historyDone, historyTotal);
    }
    const known = new Set((await target.getUtilisation(to, UTILISATION_DAYS)).map((d) => d.day));
    for (const day of await source.getUtilisation(from, UTILISATION_DAYS)) {
      if (!known.has(day.day)) await target.addUtilisation(to, day.day, day);
      count('utilisation days', 1).copied++;
    }
    for (const sub of await source.listPushSubscriptions(from)) {
      await target.upsertPushSubscription({ ...sub, ...to });
      count('push subscriptions', 1).copied++;
    }
  }

  for (const record of await source.listAutoProvision()) {
    const ownerId = record.ownerId === undefined ? undefined : ownerIds.get(record.ownerId);
    await target.putAutoProvision({ ...record, ownerId });
    count('auto-provisioning', 1).copied++;
  }

  for (const [perlId, ownerId] of ownerIds) {
    for (const token of await source.listApiTokens(perlId)) {
      const entry = count('API tokens', 1);
      if (!(await target.findApiToken(token.tokenHash))) await target.createApiToken({ ...token, ownerId });
      if (token.lastUsed) await target.touchApiToken(token.tokenHash, token.lastUsed);
      entry.copied++;
    }
  }
  await target.flush();
  const order: ImportTable[] = [
    'owners',
    'vehicles',
    'messages',
    'history',
    'utilisation days',
    'push subscriptions',
    'auto-provisioning',
    'API tokens',
  ];
  return { counts: order.map((table) => count(table)), notes };
}

/** Why a vehicle is not copied, or undefined when it is. */
function vehicleSkipReason(
  vehicle: Vehicle,
  ownerId: number | undefined,
  existing: Vehicle | undefined,
): string | undefined {
  const id = printable(vehicle.vehicleId);
  if (ownerId === undefined) return `vehicle ${id} skipped: its owner was skipped`;
  if (!isUsableVehicleId(vehicle.vehicleId)) {
    return (
      `vehicle "${id}" of ${printable(vehicle.ownerName)} skipped: the id holds a space, "/", "+", "#" or a ` +
      'control character, which MQTT topics and the v2 login line cannot carry; register the car under a valid id'
    );
  }
  if (existing && existing.ownerId !== ownerId) {
    return `vehicle ${id} of ${vehicle.ownerName} skipped: the id already belongs to ${existing.ownerName}`;
  }
  return undefined;
}

async function upsertOwner(target: Store, owner: Owner): Promise<Owner> {
  const passwordHash = owner.passwordHash.startsWith(PLAIN_TEXT_PREFIX)
    ? await hashPassword(owner.passwordHash.slice(PLAIN_TEXT_PREFIX.length))
    : owner.passwordHash;
  const existing = await target.getOwnerByName(owner.name);
  if (!existing) return target.createOwner({ name: owner.name, mail: owner.mail, passwordHash });
  if (!existing.passwordHash.startsWith('scrypt$') && existing.passwordHash !== passwordHash) {
    await target.setOwnerPassword(existing.id, passwordHash);
  }
  return existing;
}

async function upsertVehicle(
  target: Store,
  vehicle: Vehicle,
  ownerId: number,
  existing: Vehicle | undefined,
): Promise<VehicleRef> {
  const ref = { ownerId, vehicleId: vehicle.vehicleId };
  if (!existing) {
    await target.createVehicle({ ...ref, secret: vehicle.secret, name: vehicle.name });
  } else if (existing.secret !== vehicle.secret) {
    await target.setVehicleSecret(ref, vehicle.secret);
  }
  if (vehicle.ptoken !== '' && existing?.ptoken !== vehicle.ptoken)
    await target.setParanoidToken(ref, vehicle.ptoken);
  return ref;
}
