import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { vehicleIdProblem } from '../../auth/account-names.js';
import { abrpTokenProblem } from '../../integrations/abrp/abrp-token.js';
import { checkSecret } from '../../protocol/handshake.js';
import { type NewVehicle, type Store, StoreUnsupportedError } from '../../store/store.js';
import { addCommonOptions, type CommonOptions, print, table, UserError, withStore } from '../context.js';
import { parseCsv } from './csv.js';
import { moduleBroker, moduleSetupLines } from './module-setup.js';
import { requireOwner } from './owner-commands.js';

/** The id upper-cased, or a UserError saying what ids may look like. */
export function checkVehicleId(id: string, where = ''): string {
  const problem = vehicleIdProblem(id);
  if (problem) throw new UserError(`${where}${problem}`);
  return id.toUpperCase();
}

export function checkVehicleSecret(secret: string, where = ''): void {
  const problem = checkSecret(secret);
  if (problem) throw new UserError(`${where}${problem}`);
}

async function requireVehicle(store: Store, id: string) {
  const v = await store.findVehicle(checkVehicleId(id));
  if (!v) throw new UserError(`no vehicle ${id.toUpperCase()} (see: ovms-server vehicle list)`);
  return v;
}

export function registerVehicleCommands(program: Command): void {
  const vehicle = program
    .command('vehicle')
    .description('manage vehicles (car modules and the secret they share with apps)');

  addCommonOptions(vehicle.command('add <id>'))
    .description('add a vehicle')
    .requiredOption('-o, --owner <name>', 'owner of the vehicle')
    .requiredOption(
      '-p, --password <secret>',
      'the secret the module and apps use ("server password", at most 64 bytes)',
    )
    .option('--name <name>', 'a nickname', '')
    .option(
      '--server-name <host>',
      'host name modules reach this server at, for the printed module set-up',
      'your.server.name',
    )
    .action(
      async (
        id: string,
        o: CommonOptions & { owner: string; password: string; name: string; serverName: string },
      ) => {
        const vehicleId = checkVehicleId(id);
        checkVehicleSecret(o.password);
        await withStore(o, async (store, config) => {
          const owner = await requireOwner(store, o.owner);
          await store.createVehicle({ ownerId: owner.id, vehicleId, secret: o.password, name: o.name });
          print(`vehicle ${vehicleId} added for ${owner.name}`);
          print('');
          const lines = moduleSetupLines({
            vehicleId,
            owner: owner.name,
            secret: o.password,
            host: o.serverName,
            v2Port: config.port,
            v2TlsPort: config.tlsPort,
            mqtt: moduleBroker(o.serverName, config.mqtt),
          });
          print(lines.join('\n'));
        });
      },
    );

  addCommonOptions(vehicle.command('list'))
    .description('list vehicles')
    .option('-o, --owner <name>', 'only this owner')
    .option('--json', 'JSON output', false)
    .action(async (o: CommonOptions & { owner?: string; json: boolean }) => {
      await withStore(o, async (store) => {
        const owner = o.owner ? await requireOwner(store, o.owner) : undefined;
        const rows = (await store.listVehicles(owner?.id)).map((v) => ({
          id: v.vehicleId,
          owner: v.ownerName,
          name: v.name,
          lastUpdate: v.lastUpdate?.toISOString() ?? null,
        }));
        if (o.json) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0)
          return print('no vehicles yet: ovms-server vehicle add ID --owner NAME --password SECRET');
        print(
          table(
            ['ID', 'OWNER', 'NAME', 'LAST UPDATE'],
            rows.map((r) => [r.id, r.owner, r.name, r.lastUpdate ?? 'never']),
          ),
        );
      });
    });

  addCommonOptions(vehicle.command('passwd <id>'))
    .description("change a vehicle's secret (change it in the module and the apps too)")
    .requiredOption('-p, --password <secret>', 'new secret')
    .action(async (id: string, o: CommonOptions & { password: string }) => {
      checkVehicleSecret(o.password);
      await withStore(o, async (store) => {
        const v = await requireVehicle(store, id);
        await store.setVehicleSecret(v, o.password);
        print(`secret of ${v.vehicleId} changed`);
      });
    });

  addCommonOptions(vehicle.command('remove <id>'))
    .description('remove a vehicle and its stored data')
    .action(async (id: string, o: CommonOptions) => {
      await withStore(o, async (store) => {
        const v = await requireVehicle(store, id);
        await store.deleteVehicle(v);
        print(`vehicle ${v.vehicleId} removed`);
      });
    });

  addCommonOptions(vehicle.command('abrp <id>'))
    .description(
      "the vehicle's ABRP live-data link: store the owner's ABRP token, remove it, or (neither) show it",
    )
    .option('--token <token>', "the owner's ABRP user token (ABRP: car settings, Live data, Generic)")
    .option('--remove', 'remove the token: nothing more is sent to ABRP', false)
    .action(async (id: string, o: CommonOptions & { token?: string; remove: boolean }) => {
      if (o.token !== undefined && o.remove) throw new UserError('give either --token or --remove, not both');
      const token = o.token?.trim();
      const problem = token === undefined ? undefined : abrpTokenProblem(token);
      if (problem) throw new UserError(problem);
      await withStore(o, async (store) => {
        const v = await requireVehicle(store, id);
        if (token !== undefined) {
          try {
            await store.setAbrpToken(v, token);
          } catch (err) {
            if (err instanceof StoreUnsupportedError) throw new UserError(err.message);
            throw err;
          }
          return print(
            `ABRP token of ${v.vehicleId} stored (a running server takes it up within abrp.refresh_s)`,
          );
        }
        if (o.remove) {
          const removed = await store.deleteAbrpLink(v);
          return print(removed ? `ABRP token of ${v.vehicleId} removed` : `${v.vehicleId} has no ABRP token`);
        }
        const link = await store.getAbrpLink(v);
        if (!link)
          return print(
            `${v.vehicleId} has no ABRP token (set one: ovms-server vehicle abrp ${v.vehicleId} --token T)`,
          );
        const state = link.refused ? 'refused by ABRP: store a new token' : link.error ? 'failing' : 'linked';
        print(`${v.vehicleId}: ${state}; token stored ${link.updatedAt.toISOString()}`);
        if (link.error) print(`last error (${link.errorAt?.toISOString() ?? '?'}): ${link.error}`);
      });
    });

  addCommonOptions(vehicle.command('import <file>'))
    .description('add vehicles from a CSV file with columns id,owner,password (all or none)')
    .action(async (file: string, o: CommonOptions) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UserError(`cannot read ${file}: ${(err as Error).message}`);
      }
      const rows = parseCsv(text);
      if (rows.length > 0 && rows[0]![0]?.trim().toLowerCase() === 'id') rows.shift();
      await withStore(o, async (store) => {
        const owners = new Map((await store.listOwners()).map((w) => [w.name, w.id]));
        const problems: string[] = [];
        const vehicles: NewVehicle[] = [];
        rows.forEach((row, i) => {
          const where = `${file} row ${i + 1}: `;
          const [id = '', ownerName = '', secret = ''] = row.map((c) => c.trim());
          try {
            if (row.length < 3) throw new UserError(`${where}expected 3 columns id,owner,password`);
            const ownerId = owners.get(ownerName);
            if (ownerId === undefined) throw new UserError(`${where}no owner named "${ownerName}"`);
            checkVehicleSecret(secret, where);
            vehicles.push({ ownerId, vehicleId: checkVehicleId(id, where), secret });
          } catch (err) {
            problems.push(err instanceof UserError ? err.message : `${where}${(err as Error).message}`);
          }
        });
        if (problems.length > 0) throw new UserError(`nothing imported:\n${problems.join('\n')}`);
        const n = await store.createVehicles(vehicles);
        print(`${n} vehicles imported`);
      });
    });
}
