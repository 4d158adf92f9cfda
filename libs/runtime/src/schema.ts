import type { SchemaParts } from '@steward/persistence';
import { auditEntities, auditMigrations } from '@steward/audit';
import { identityEntities, identityMigrations } from '@steward/identity';
import { ticketEntities, ticketMigrations } from '@steward/tickets';

/** Every entity and migration of Steward, in one place for the data source and the checks. */
export const stewardSchema: SchemaParts = {
  entities: [...auditEntities, ...identityEntities, ...ticketEntities],
  migrations: [...auditMigrations, ...identityMigrations, ...ticketMigrations],
};
