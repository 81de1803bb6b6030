import { type Command, Option } from 'commander';
import type { ChargeView, TripView } from '../../recording/views.js';
import { CliError, usageError } from './connection.js';
import { duration } from './format.js';
import { table } from './reply-format.js';

/**
 * `ovms app trips` and `ovms app charges`: the recorded trips and charge sessions of a vehicle, read
 * from the server's HTTP API (they are not part of protocol v2) with the owner's credentials.
 */

export interface RecordingFlags {
  api?: string;
  user?: string;
  apiPassword?: string;
  id?: string;
  from?: string;
  to?: string;
  limit?: string;
  json?: boolean;
}

export function addRecordingOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--api <url>', 'the server HTTP API (default http://127.0.0.1:6868)').env('OVMS_API'),
    )
    .addOption(new Option('--user <owner>', 'owner name').env('OVMS_USER'))
    .addOption(
      new Option(
        '--api-password <secret>',
        'owner password or API token (prefer OVMS_API_PASSWORD: arguments are visible to other users)',
      ).env('OVMS_API_PASSWORD'),
    )
    .addOption(new Option('--id <vehicleid>', 'vehicle id').env('OVMS_VEHICLE'))
    .option('--from <time>', 'from this time (ISO 8601 or epoch seconds)')
    .option('--to <time>', 'until this time (default now)')
    .option('--limit <n>', 'at most this many, newest first', '20')
    .option('--json', 'print JSON instead of a table');
}

async function fetchList<T>(flags: RecordingFlags, what: 'trips' | 'charges'): Promise<T[]> {
  if (!flags.id) throw usageError('--id (or OVMS_VEHICLE) is required');
  if (!flags.user || !flags.apiPassword)
    throw usageError('--user and --api-password (or OVMS_USER, OVMS_API_PASSWORD) are required');
  const base = (flags.api ?? 'http://127.0.0.1:6868').replace(/\/+$/, '');
  const query = new URLSearchParams({
    username: flags.user,
    password: flags.apiPassword,
    limit: flags.limit ?? '20',
  });
  if (flags.from) query.set('from', flags.from);
  if (flags.to) query.set('to', flags.to);
  let res: Response;
  try {
    res = await fetch(`${base}/api/${what}/${encodeURIComponent(flags.id)}?${query}`);
  } catch (err) {
    throw new CliError(`cannot reach ${base}: ${(err as Error).message}`);
  }
  const body = await res.text();
  if (!res.ok) throw new CliError(`${what}: HTTP ${res.status} ${body.trim()}`);
  return JSON.parse(body) as T[];
}

const when = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const n = (v: number | null, digits: number, unit = '') => (v === null ? '-' : `${v.toFixed(digits)}${unit}`);
const soc = (from: number | null, to: number | null) => `${n(from, 0)}→${n(to, 0)}%`;
const place = (p: { name: string | null; lat: number | null; lon: number | null }) =>
  p.name ?? (p.lat === null || p.lon === null ? '-' : `${p.lat.toFixed(4)},${p.lon.toFixed(4)}`);

export function formatTrips(trips: readonly TripView[]): string {
  if (trips.length === 0) return 'no trips recorded';
  return table(
    ['START (UTC)', 'TIME', 'DISTANCE', 'kWh', 'Wh/km', 'SOC', 'FROM', 'TO'],
    trips.map((t) => [
      when(t.start),
      duration(t.durationS),
      n(t.distance, 1, ` ${t.unit}`),
      n(t.energyKwh, 2),
      n(t.whPerKm, 0),
      soc(t.socFrom, t.socTo),
      place(t.from),
      place(t.to),
    ]),
  );
}

export function formatCharges(charges: readonly ChargeView[]): string {
  if (charges.length === 0) return 'no charges recorded';
  return table(
    ['START (UTC)', 'TIME', 'kWh', 'GRID kWh', 'AVG kW', 'SOC', 'PLACE', 'COST', 'END'],
    charges.map((c) => [
      when(c.start),
      duration(c.durationS),
      n(c.energyKwh, 2),
      n(c.gridKwh, 2),
      n(c.avgPowerKw, 1),
      soc(c.socFrom, c.socTo),
      place(c.place),
      n(c.cost, 2),
      c.endState ?? '-',
    ]),
  );
}

export async function runTrips(flags: RecordingFlags): Promise<void> {
  const trips = await fetchList<TripView>(flags, 'trips');
  process.stdout.write(flags.json ? `${JSON.stringify(trips)}\n` : `${formatTrips(trips)}\n`);
}

export async function runCharges(flags: RecordingFlags): Promise<void> {
  const charges = await fetchList<ChargeView>(flags, 'charges');
  process.stdout.write(flags.json ? `${JSON.stringify(charges)}\n` : `${formatCharges(charges)}\n`);
}
