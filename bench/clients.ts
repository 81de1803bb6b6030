import { OvmsClient, type ReceivedMessage } from '../src/client/ovms-client.js';

/** A logged-in client for the load generator; `onMessage` is set by the scenario. */
export async function login(
  port: number,
  clientType: 'C' | 'A' | 'B',
  vehicleId: string,
): Promise<OvmsClient> {
  const client = new OvmsClient({
    host: '127.0.0.1',
    port,
    clientType,
    vehicleId,
    secret: 'bench-secret',
    loginTimeoutMs: 60_000,
    commandTimeoutMs: 60_000,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export function onCode(client: OvmsClient, code: string, fn: (m: ReceivedMessage) => void): void {
  client.on('message', (m: ReceivedMessage) => {
    if (m.code === code) fn(m);
  });
}

export async function closeAll(clients: OvmsClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
}
