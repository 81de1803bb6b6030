import { LocalBus, LocalNetwork } from '../../src/bus/local-bus.js';
import { busConformance } from './conformance.js';

busConformance('LocalBus', {
  async makeNodes(n) {
    const network = new LocalNetwork();
    const nodes = Array.from({ length: n }, (_, i) => new LocalBus(`node${i + 1}`, network));
    return { nodes, cleanup: async () => void (await Promise.all(nodes.map((b) => b.close()))) };
  },
});
