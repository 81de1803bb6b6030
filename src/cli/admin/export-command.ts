import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import { parseTime } from '../../recording/time-range.js';
import { type ExportWhat, exportChunks, exportPages } from '../../store/recording-export.js';
import { addCommonOptions, type CommonOptions, UserError, withStore } from '../context.js';
import { ProgressBar } from './progress-bar.js';

const WHAT: readonly ExportWhat[] = ['trips', 'charges', 'parks', 'series', 'history'];

interface ExportOptions extends CommonOptions {
  vehicle?: string;
  what: string;
  format: string;
  output?: string;
  from?: string;
  to?: string;
}

/** `ovms-server export`: recorded data (or stored history) of every vehicle or one, to a file or stdout. */
export function registerExportCommand(program: Command): void {
  addCommonOptions(program.command('export'))
    .description(
      'export trips, charges, parking periods, the recorded series or the stored history (CSV or JSON)',
    )
    .option('--vehicle <id>', 'only this vehicle (default: every vehicle)')
    .option('--what <what>', `one of ${WHAT.join(', ')}`, 'trips')
    .option('--format <format>', 'csv or json', 'csv')
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .option('--from <time>', 'from this time (ISO 8601 or epoch seconds)')
    .option('--to <time>', 'until this time, exclusive (default: now)')
    .action(async (o: ExportOptions) => {
      const what = o.what as ExportWhat;
      if (!WHAT.includes(what)) throw new UserError(`--what must be one of ${WHAT.join(', ')}`);
      if (o.format !== 'csv' && o.format !== 'json') throw new UserError('--format must be csv or json');
      const from = parseTime(o.from);
      const to = parseTime(o.to);
      if (from === null || to === null)
        throw new UserError('--from and --to take ISO 8601 times or epoch seconds');
      const range = { from: from ?? new Date(0), to: to ?? new Date(Date.now() + 1000) };
      await withStore(o, async (store) => {
        const vehicles = o.vehicle
          ? [await store.findVehicle(o.vehicle)].filter((v) => v !== undefined)
          : await store.listVehicles();
        if (vehicles.length === 0) throw new UserError(o.vehicle ? `no vehicle ${o.vehicle}` : 'no vehicles');
        const out = o.output ? createWriteStream(o.output) : process.stdout;
        // The bar goes to stderr, and only on a terminal: a pipe or log gets the data alone.
        const bar = process.stderr.isTTY ? new ProgressBar() : undefined;
        // Every vehicle's rows in one file (one CSV header, one JSON array), each row naming its vehicle.
        const pages = (async function* () {
          for (const [i, v] of vehicles.entries()) {
            const [places, recording] = await Promise.all([
              store.listPlaces(v.ownerId),
              store.getRecordingVehicle(v),
            ]);
            for await (const page of exportPages(store, v, what, range, places, recording?.pricePerKwh)) {
              yield page.map((row) => ({ vehicle: v.vehicleId, ...row }));
            }
            bar?.update(`export ${what}`, i + 1, vehicles.length);
          }
        })();
        for await (const chunk of exportChunks(pages, what, o.format as 'csv' | 'json', ['vehicle'])) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
        bar?.done();
        if (out !== process.stdout) {
          out.end();
          await once(out, 'finish');
        }
      });
    });
}
