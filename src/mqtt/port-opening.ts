import type { AddressInfo, Server } from 'node:net';
import type { ListenerState } from '../server/listener-state.js';

/** How to name the setting of a port in an error line. */
export interface PortSetting {
  key: string;
  flag: string;
  env: string;
}

/**
 * Starts `server` listening and resolves with its state; never rejects. A port that cannot be
 * opened (taken by another program, no permission) is `failed` with a reason that names the setting
 * to change, so the caller can log it once and run on without this listener.
 */
export function openPort(
  server: Server,
  port: number,
  host: string,
  setting: PortSetting,
): Promise<ListenerState> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      resolve({ state: 'failed', error: portError(err, port, setting) });
    };
    const onListening = () => {
      server.off('error', onError);
      resolve({ state: 'listening', port: (server.address() as AddressInfo).port });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, ipv6Only: false });
  });
}

function portError(err: NodeJS.ErrnoException, port: number, s: PortSetting): string {
  const change = `set ${s.key} (--${s.flag}, ${s.env}) to a free port, or to 0 to turn it off`;
  if (err.code === 'EADDRINUSE')
    return `port ${port} is already in use (another MQTT broker, such as Mosquitto?): ${change}`;
  if (err.code === 'EACCES') return `no permission to listen on port ${port}: ${change}`;
  return `cannot listen on port ${port}: ${err.message}; ${change}`;
}
