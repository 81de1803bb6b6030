import { decodePushSubscription } from '../protocol/messages/push.js';
import type { Connection } from './connection.js';
import type { Hub } from './hub.js';

/**
 * `p` push subscriptions (WIRE.md §8). The six-field form names a vehicle of the same owner and
 * proves it with that vehicle's secret; the `simple` form subscribes the connection's own vehicle.
 * Nothing is sent back in either case, as in the reference.
 */
export async function handleSubscription(hub: Hub, conn: Connection, payload: string): Promise<void> {
  const sub = decodePushSubscription(payload);
  const own = conn.vehicle!;
  if (!sub.appId || !sub.pushType) {
    conn.log.warn({ client: conn.label }, 'ignored push subscription without app id or push type');
    return;
  }
  // The reference forces production for APNs: the sandbox key type is never honoured.
  const pushKeyType = sub.pushType === 'apns' ? 'production' : (sub.keyType ?? '');
  const target = sub.target;
  if (target.kind === 'vehicle') {
    const vehicle = await hub.store.getVehicle({
      ownerId: own.ownerId,
      vehicleId: target.vehicleId.toUpperCase(),
    });
    if (!vehicle || vehicle.secret !== target.netpass) {
      conn.log.warn(
        { client: conn.label, vehicle: target.vehicleId },
        'push subscription refused: unknown vehicle or wrong password',
      );
      return;
    }
    await hub.store.upsertPushSubscription({
      ownerId: vehicle.ownerId,
      vehicleId: vehicle.vehicleId,
      appId: sub.appId,
      pushType: sub.pushType,
      pushKeyType,
      pushKeyValue: target.keyValue,
    });
    conn.log.info(
      { client: conn.label, vehicle: vehicle.vehicleId, pushType: sub.pushType },
      'push subscription saved',
    );
    return;
  }
  if (target.kind === 'simple') {
    await hub.store.upsertPushSubscription({
      ownerId: own.ownerId,
      vehicleId: own.vehicleId,
      appId: sub.appId,
      pushType: sub.pushType,
      pushKeyType,
      pushKeyValue: target.value,
    });
    conn.log.info({ client: conn.label, pushType: sub.pushType }, 'push subscription saved');
    return;
  }
  conn.log.warn({ client: conn.label }, 'ignored incomplete push subscription');
}
