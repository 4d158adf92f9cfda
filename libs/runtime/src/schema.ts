import type { SchemaParts } from '@steward/persistence';
import { identityEntities, identityMigrations } from '@steward/identity';

/** Every entity and migration of Steward, in one place for the data source and the checks. */
export const stewardSchema: SchemaParts = {
  entities: [...identityEntities],
  migrations: [...identityMigrations],
};
