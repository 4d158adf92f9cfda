import { AuditChainHeadEntity } from './audit-chain-head.entity';
import { AuditEntryEntity } from './audit-entry.entity';
import { CreateAuditLog1795219200000 } from './migrations/1795219200000-create-audit-log';

export { AuditModule } from './audit.module';
export {
  AuditLog,
  MAX_DETAILS_BYTES,
  MAX_QUERY_LIMIT,
  MAX_USER_AGENT_LENGTH,
  type AuditDetails,
  type AuditEntry,
  type AuditPage,
  type AuditProblem,
  type AuditQuery,
  type AuditVerification,
  type RecordAuditEntry,
} from './audit-log.service';
export { AuditAction, type KnownAuditAction } from './audit-actions';
export { AuditError } from './audit.errors';
export { AuditEntryEntity, AUDIT_ACTOR_TYPES, type AuditActorType } from './audit-entry.entity';
export { AuditChainHeadEntity } from './audit-chain-head.entity';

export const auditEntities = [AuditEntryEntity, AuditChainHeadEntity];
export const auditMigrations = [CreateAuditLog1795219200000];
