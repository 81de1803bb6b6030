import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config/config.js';
import type { Bus } from './bus.js';
import { LocalBus } from './local-bus.js';
import { RedisBus } from './redis-bus.js';

/** This node's name on the bus and in logs: configured, or host name and process id. */
export function nodeIdOf(config: ServerConfig): string {
  return config.nodeId || `${hostname()}-${process.pid}`;
}

/** The in-process bus for one node, or the Redis bus that joins several nodes. */
export async function openBus(config: ServerConfig, log: Logger): Promise<Bus> {
  const nodeId = nodeIdOf(config);
  if (config.bus.url === '') return new LocalBus(nodeId);
  const bus = await RedisBus.connect({
    url: config.bus.url,
    nodeId,
    prefix: config.bus.prefix,
    leaseMs: config.bus.leaseMs,
    onError: (err) => log.warn({ err: err.message }, 'bus connection problem'),
  });
  log.info({ node: nodeId, bus: config.bus.url.replace(/\/\/[^@]*@/, '//***@') }, 'joined the Redis bus');
  return bus;
}
