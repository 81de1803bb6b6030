/**
 * Store throughput per back-end: history inserts (a burst of concurrent addHistory calls, as many
 * cars sending records at once) and the purge (deleting expired history in the server's batch
 * size, as Housekeeping does). Not part of `npm test`; the figures are in docs/storage.md.
 *
 *   node --import tsx scripts/store-bench.ts [--records 20000] [--vehicles 20] [--batch 5000] [sqlite postgres mysql perl]
 *
 * PostgreSQL and MariaDB run on 127.0.0.1 (OVMS_TEST_POSTGRES_URL / OVMS_TEST_MYSQL_URL to change);
 * each run uses a fresh database that is dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/open-store.js';
import type { Store, VehicleRef } from '../src/store/store.js';
import { createMysqlDatabase, createPostgresDatabase } from '../test/helpers/databases.js';
import { createPerlDatabase } from '../test/helpers/perl-database.js';

const { values, positionals } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    vehicles: { type: 'string', default: '20' },
    batch: { type: 'string', default: '5000' },
  },
  allowPositionals: true,
});
const RECORDS = Number(values.records);
const VEHICLES = Number(values.vehicles);
const PURGE_BATCH = Number(values.batch);
const BACKENDS = positionals.length > 0 ? positionals : ['sqlite', 'postgres', 'mysql', 'perl'];

async function database(backend: string): Promise<{ url: string; drop(): Promise<void> }> {
  switch (backend) {
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'ovms-bench-'));
      return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true }) };
    }
    case 'postgres':
      return createPostgresDatabase();
    case 'mysql':
      return createMysqlDatabase();
    case 'perl':
      return createPerlDatabase({ rows: false });
    default:
      throw new Error(`unknown back-end ${backend}`);
  }
}

async function vehicles(store: Store): Promise<VehicleRef[]> {
  const owner = await store.createOwner({ name: 'bench', passwordHash: 'x' });
  const refs: VehicleRef[] = [];
  for (let i = 0; i < VEHICLES; i++) {
    const ref = { ownerId: owner.id, vehicleId: `BENCH${i}` };
    await store.createVehicle({ ...ref, secret: 's' });
    refs.push(ref);
  }
  return refs;
}

async function measure(backend: string): Promise<{ insert: number; purge: number }> {
  const db = await database(backend);
  const store = await openStore(db.url);
  try {
    await store.migrate();
    const refs = await vehicles(store);
    const start = new Date('2024-01-01T00:00:00Z').getTime();
    const expired = new Date(start + 3600_000);
    const data = Buffer.from('51.503364,-0.119519,270,15,1,1,0.0,123,0,0.000,1.234');

    let t0 = performance.now();
    await Promise.all(
      Array.from({ length: RECORDS }, (_, i) =>
        store.addHistory(refs[i % VEHICLES]!, {
          type: 'RT-GPS-Log',
          recno: i % 100,
          timestamp: new Date(start + Math.floor(i / VEHICLES) * 1000),
          data,
          expires: expired,
        }),
      ),
    );
    const insertSeconds = (performance.now() - t0) / 1000;

    t0 = performance.now();
    let purged = 0;
    for (;;) {
      const n = await store.purgeHistory(new Date(), PURGE_BATCH);
      purged += n;
      if (n < PURGE_BATCH) break;
    }
    const purgeSeconds = (performance.now() - t0) / 1000;
    if (purged !== RECORDS) throw new Error(`${backend}: purged ${purged} of ${RECORDS}`);
    return { insert: RECORDS / insertSeconds, purge: purged / purgeSeconds };
  } finally {
    await store.close();
    await db.drop();
  }
}

console.log(`${RECORDS} history records over ${VEHICLES} vehicles, purge batch ${PURGE_BATCH}`);
console.log('| back-end | insert (records/s) | purge (rows/s) |');
console.log('| --- | ---: | ---: |');
for (const backend of BACKENDS) {
  const { insert, purge } = await measure(backend);
  console.log(`| ${backend} | ${Math.round(insert)} | ${Math.round(purge)} |`);
}
