export {
  type AirlockDb,
  createTestDatabase,
  MIGRATIONS_FOLDER,
  type OpenDatabaseOptions,
  type OpenedDatabase,
  openDatabase,
} from './open.js';
export * as schema from './schema/index.js';
export * from './schema/index.js';
