import { describe } from 'node:test';
import { abrpLinkTests } from './conformance/abrp.js';
import { apiTokenTests, autoProvisionTests, migrationTests, pushTests } from './conformance/accounts.js';
import { freshStoreFrom, type StoreFactory } from './conformance/fixtures.js';
import { historyPagingTests, historyTests, utilisationTests } from './conformance/history.js';
import { messageTests } from './conformance/messages.js';
import { ownerTests, vehicleTests } from './conformance/owners-vehicles.js';
import { pushQueueTests } from './conformance/push-queue.js';
import { recordingTests } from './conformance/recording.js';
import { sessionTests } from './conformance/sessions.js';

export type { StoreFactory } from './conformance/fixtures.js';

/**
 * The behaviour every Store back-end must show, as users of the server would see it. A back-end's
 * test file calls this with a factory that returns an empty store (migrated or not) and a cleanup.
 * Each test gets its own store.
 */
export function storeConformance(name: string, factory: StoreFactory): void {
  const fresh = freshStoreFrom(factory);
  describe(`Store conformance: ${name}`, () => {
    migrationTests(fresh);
    ownerTests(fresh);
    vehicleTests(fresh);
    messageTests(fresh);
    historyTests(fresh);
    historyPagingTests(fresh);
    utilisationTests(fresh);
    pushTests(fresh);
    pushQueueTests(fresh);
    autoProvisionTests(fresh);
    apiTokenTests(fresh);
    abrpLinkTests(fresh);
    recordingTests(fresh);
    sessionTests(fresh);
  });
}
