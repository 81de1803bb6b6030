import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { encryptProvision } from '../../protocol/autoprovision.js';
import { tokenFromBytes } from '../../protocol/digest.js';
import { addCommonOptions, type CommonOptions, print, table, UserError, withStore } from '../context.js';
import { requireOwner } from './owner-commands.js';

export function registerProvisionCommands(program: Command): void {
  const provision = program
    .command('provision')
    .description('auto-provisioning records for legacy (v2 PIC) modules, keyed by VIN');

  addCommonOptions(provision.command('add <apkey>'))
    .description('create or replace the record a module asking with this key (its VIN) receives')
    .requiredOption('-s, --secret <iccid>', "the module's SIM ICCID, which decrypts the record")
    .requiredOption(
      '--params <values>',
      'module parameters #0 #1 ... separated by spaces, "-" for empty (e.g. "+85291234567 OVMS K IP server apn - - VID pass -")',
    )
    .option('-o, --owner <name>', 'owner the record belongs to')
    .action(async (apkey: string, o: CommonOptions & { secret: string; params: string; owner?: string }) => {
      if (!/^\S{1,64}$/.test(apkey)) throw new UserError('the key must be 1-64 characters without spaces');
      const record = o.params.trim().split(/\s+/).join(' ');
      if (record === '') throw new UserError('--params must not be empty');
      await withStore(o, async (store) => {
        const owner = o.owner ? await requireOwner(store, o.owner) : undefined;
        const blob = encryptProvision(o.secret, tokenFromBytes(randomBytes(22)), record);
        await store.putAutoProvision({ apKey: apkey, ...blob, ownerId: owner?.id, lastUsed: undefined });
        print(`auto-provisioning record for ${apkey} saved`);
      });
    });

  addCommonOptions(provision.command('list'))
    .description('list auto-provisioning records')
    .option('--json', 'JSON output', false)
    .action(async (o: CommonOptions & { json: boolean }) => {
      await withStore(o, async (store) => {
        const rows = (await store.listAutoProvision()).map((r) => ({
          key: r.apKey,
          ownerId: r.ownerId ?? null,
          lastUsed: r.lastUsed?.toISOString() ?? null,
        }));
        if (o.json) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return print('no auto-provisioning records');
        print(
          table(
            ['KEY', 'OWNER ID', 'LAST USED'],
            rows.map((r) => [r.key, r.ownerId ?? '', r.lastUsed ?? 'never']),
          ),
        );
      });
    });

  addCommonOptions(provision.command('remove <apkey>'))
    .description('remove an auto-provisioning record')
    .action(async (apkey: string, o: CommonOptions) => {
      await withStore(o, async (store) => {
        if (!(await store.deleteAutoProvision(apkey)))
          throw new UserError(`no auto-provisioning record for ${apkey}`);
        print(`auto-provisioning record for ${apkey} removed`);
      });
    });
}
