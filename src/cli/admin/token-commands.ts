import type { Command } from 'commander';
import { hashApiToken, newApiToken } from '../../auth/passwords.js';
import { permitProblem } from '../../auth/permissions.js';
import { addCommonOptions, type CommonOptions, print, table, UserError, withStore } from '../context.js';
import { requireOwner } from './owner-commands.js';

export function registerTokenCommands(program: Command): void {
  const token = program
    .command('token')
    .description('API tokens (usable as a password by the HTTP API and scheme 1)');

  addCommonOptions(token.command('add'))
    .description('create a token; it is shown once and stored only as a hash')
    .requiredOption('-o, --owner <name>', 'owner the token acts for')
    .option('--application <name>', 'what uses it', 'cli')
    .option('--purpose <text>', 'why it exists', 'notspecified')
    .option(
      '--permit <rights>',
      'rights: "*" for all, or a list of vehicle.read (= auth), vehicle.control, vehicle.shell, session, ' +
        'token.admin, v2, mqtt (see docs/http-api.md)',
      'auth',
    )
    .action(
      async (o: CommonOptions & { owner: string; application: string; purpose: string; permit: string }) => {
        const problem = permitProblem(o.permit);
        if (problem) throw new UserError(`--permit: ${problem}`);
        await withStore(o, async (store) => {
          const owner = await requireOwner(store, o.owner);
          const value = newApiToken();
          await store.createApiToken({
            ownerId: owner.id,
            tokenHash: hashApiToken(value),
            token: value, // kept only by a Perl-server database, which stores tokens in plain text
            application: o.application,
            purpose: o.purpose,
            permit: o.permit,
          });
          print(value);
          process.stderr.write(
            `token for ${owner.name} created (permit ${o.permit}); it will not be shown again\n`,
          );
        });
      },
    );

  addCommonOptions(token.command('list'))
    .description("list an owner's tokens (by hash prefix; the tokens themselves are not stored)")
    .requiredOption('-o, --owner <name>', 'owner')
    .option('--json', 'JSON output', false)
    .action(async (o: CommonOptions & { owner: string; json: boolean }) => {
      await withStore(o, async (store) => {
        const owner = await requireOwner(store, o.owner);
        const rows = (await store.listApiTokens(owner.id)).map((t) => ({
          id: t.tokenHash.slice(0, 12),
          application: t.application,
          purpose: t.purpose,
          permit: t.permit,
          created: t.created.toISOString(),
          lastUsed: t.lastUsed?.toISOString() ?? null,
        }));
        if (o.json) return print(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return print(`${owner.name} has no tokens`);
        print(
          table(
            ['ID', 'APPLICATION', 'PURPOSE', 'PERMIT', 'CREATED', 'LAST USED'],
            rows.map((r) => [r.id, r.application, r.purpose, r.permit, r.created, r.lastUsed ?? 'never']),
          ),
        );
      });
    });

  addCommonOptions(token.command('remove <token>'))
    .description('remove a token, given the token itself or the ID shown by token list')
    .requiredOption('-o, --owner <name>', 'owner')
    .action(async (value: string, o: CommonOptions & { owner: string }) => {
      await withStore(o, async (store) => {
        const owner = await requireOwner(store, o.owner);
        const tokens = await store.listApiTokens(owner.id);
        const hash = hashApiToken(value);
        const matches = tokens.filter(
          (t) => t.tokenHash === hash || (value.length >= 8 && t.tokenHash.startsWith(value)),
        );
        if (matches.length === 0) throw new UserError(`${owner.name} has no token ${value}`);
        if (matches.length > 1)
          throw new UserError(`"${value}" matches several tokens: give more characters`);
        await store.deleteApiToken(owner.id, matches[0]!.tokenHash);
        print('token removed');
      });
    });
}
