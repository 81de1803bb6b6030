import { openMysqlStore } from '../../src/store/mysql/mysql-store.js';
import { createMysqlDatabase } from '../helpers/databases.js';
import { storeConformance } from './conformance.js';

// Each test gets a database of its own (cheap in MariaDB: a directory).
storeConformance('mysql (MariaDB)', async () => {
  const database = await createMysqlDatabase();
  const store = await openMysqlStore({ url: database.url });
  return {
    store,
    async cleanup() {
      await store.close();
      await database.drop();
    },
  };
});
