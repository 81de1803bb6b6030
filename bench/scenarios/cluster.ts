import { startBenchCluster } from '../cluster-process.js';
import { relayScenario } from './relay.js';

/**
 * The relay on `nodes` nodes sharing PostgreSQL and Redis. With 3 nodes every car sits on one node
 * and its two apps on the two others, so every delivery crosses the bus between processes.
 */
export async function clusterRelayScenario(nodes: number, cars = 60, seconds = 8) {
  const cluster = await startBenchCluster(nodes, cars);
  const result = await relayScenario(cars, 2, 4, seconds, {
    carPort: (i) => cluster.ports[i % nodes]!,
    appPort: (i, a) => cluster.ports[(i + a + 1) % nodes]!,
    stop: () => cluster.stop(),
  });
  return { nodes, ...result };
}
