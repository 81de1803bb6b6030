import type { Command } from 'commander';
import { ownerNameProblem } from '../../auth/account-names.js';
import { hashOwnerPassword } from '../../auth/owner-login.js';
import { changeOwnerPassword } from '../../auth/password-change.js';
import type { Store } from '../../store/store.js';
import { addCommonOptions, type CommonOptions, print, table, UserError, withStore } from '../context.js';

export async function requireOwner(store: Store, name: string) {
  const owner = await store.getOwnerByName(name);
  if (!owner) throw new UserError(`no owner named "${name}" (see: ovms-server owner list)`);
  return owner;
}

export function checkOwnerPassword(password: string): void {
  if (password.length < 8) throw new UserError('owner passwords must have at least 8 characters');
}

export function registerOwnerCommands(program: Command): void {
  const owner = program
    .command('owner')
    .description('manage owners (the accounts apps and the HTTP API log in with)');

  addCommonOptions(owner.command('add <name>'))
    .description('add an owner')
    .requiredOption('-p, --password <password>', 'login password (at least 8 characters)')
    .option('--mail <address>', 'e-mail address', '')
    .option('--admin', 'operator rights', false)
    .action(async (name: string, o: CommonOptions & { password: string; mail: string; admin: boolean }) => {
      const problem = ownerNameProblem(name);
      if (problem) throw new UserError(problem);
      checkOwnerPassword(o.password);
      await withStore(o, async (store) => {
        const created = await store.createOwner({
          name,
          passwordHash: await hashOwnerPassword(store, o.password),
          mail: o.mail,
          admin: o.admin,
        });
        print(`owner ${created.name} added (id ${created.id})`);
      });
    });

  addCommonOptions(owner.command('list'))
    .description('list owners')
    .option('--json', 'JSON output', false)
    .action(async (o: CommonOptions & { json: boolean }) => {
      await withStore(o, async (store) => {
        const owners = await store.listOwners();
        const vehicles = await store.listVehicles();
        const rows = owners.map((w) => ({
          id: w.id,
          name: w.name,
          mail: w.mail,
          admin: w.admin,
          vehicles: vehicles.filter((v) => v.ownerId === w.id).length,
          created: w.createdAt.toISOString(),
        }));
        if (o.json) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return print('no owners yet: ovms-server owner add NAME --password PASSWORD');
        print(
          table(
            ['ID', 'NAME', 'MAIL', 'ADMIN', 'VEHICLES', 'CREATED'],
            rows.map((r) => [r.id, r.name, r.mail, r.admin ? 'yes' : '', r.vehicles, r.created]),
          ),
        );
      });
    });

  addCommonOptions(owner.command('passwd <name>'))
    .description(
      "change an owner's password; ends the owner's HTTP sessions and revokes the owner's API tokens",
    )
    .requiredOption('-p, --password <password>', 'new password')
    .option('--keep-tokens', "keep the owner's API tokens (they are revoked by default)", false)
    .action(async (name: string, o: CommonOptions & { password: string; keepTokens: boolean }) => {
      checkOwnerPassword(o.password);
      await withStore(o, async (store) => {
        const w = await requireOwner(store, name);
        const { revokedTokens } = await changeOwnerPassword(store, w, o.password, {
          keepTokens: o.keepTokens,
        });
        const tokens = o.keepTokens ? 'API tokens kept' : `${revokedTokens} API token(s) revoked`;
        print(`password of ${w.name} changed; ${tokens}; HTTP sessions end at their next request`);
      });
    });

  addCommonOptions(owner.command('remove <name>'))
    .description('remove an owner with all its vehicles and their data')
    .action(async (name: string, o: CommonOptions) => {
      await withStore(o, async (store) => {
        const w = await requireOwner(store, name);
        await store.deleteOwner(w.id);
        print(`owner ${w.name} removed`);
      });
    });
}
