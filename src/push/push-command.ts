import type { Command } from 'commander';
import { addCommonOptions, type CommonOptions, print, UserError, withStore } from '../cli/context.js';
import { buildChannels } from './build.js';
import { describeError, type PushTarget, type SendResult } from './types.js';

/** `ovms-server push test VEHICLE`: sends a test alert through every subscription, right now. */
export function registerPushCommands(program: Command): void {
  const push = program.command('push').description('push notifications');
  addCommonOptions(push.command('test <vehicle>'))
    .description(
      'send a test alert through every subscription of a vehicle and print the outcome per channel',
    )
    .option('--text <text>', 'alert text', 'OVMS server test alert')
    .action(async (vehicleId: string, o: CommonOptions & { text: string }) => {
      await withStore(o, async (store, config) => {
        const vehicle = await store.findVehicle(vehicleId);
        if (!vehicle) throw new UserError(`no vehicle ${vehicleId.toUpperCase()}`);
        const channels = buildChannels(config.push);
        const message = {
          ownerId: vehicle.ownerId,
          ownerName: vehicle.ownerName,
          vehicleId: vehicle.vehicleId,
          type: 'I',
          text: o.text,
          time: new Date().toISOString(),
        };
        const targets: [string, PushTarget][] = [];
        for (const sub of await store.listPushSubscriptions(vehicle)) {
          const channel = channels.find((c) => c.pushTypes.includes(sub.pushType.toLowerCase()));
          const { lastUpdated: _, ...target } = sub;
          targets.push([channel?.name ?? `(${sub.pushType}: not configured)`, target]);
        }
        for (const sink of channels.filter((c) => c.pushTypes.length === 0)) {
          targets.push([
            sink.name,
            { ...vehicle, appId: `*${sink.name}`, pushType: sink.name, pushKeyType: '', pushKeyValue: '' },
          ]);
        }
        if (targets.length === 0)
          print(`${vehicle.vehicleId} has no push subscriptions and no webhook is configured`);
        for (const [name, target] of targets) {
          const channel = channels.find((c) => c.name === name);
          let result: SendResult;
          try {
            result = channel
              ? await channel.send(target, message)
              : { status: 'failed', reason: 'no channel configured for this push type' };
          } catch (error) {
            result = { status: 'retry', reason: describeError(error) };
          }
          const detail = result.status === 'delivered' ? (result.detail ?? '') : result.reason;
          print(`${name}\t${target.appId}\t${result.status}\t${detail}`.trimEnd());
          if (result.status !== 'delivered') process.exitCode = 1;
        }
        await Promise.all(channels.map((c) => c.close()));
      });
    });
}
