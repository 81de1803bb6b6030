import { after, before } from 'node:test';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createPostgresDatabase, createPostgresSchema, type TestDatabase } from '../helpers/databases.js';
import { storeConformance } from './conformance.js';

// One database for this run; each test gets a schema of its own inside it.
let database: TestDatabase;
before(async () => {
  database = await createPostgresDatabase();
});
after(() => database.drop());

storeConformance('postgres', async () => {
  const schema = await createPostgresSchema(database);
  const store = await openPostgresStore({ url: schema.url });
  return {
    store,
    async cleanup() {
      await store.close();
      await schema.drop();
    },
  };
});
