import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service';
import { AuditRepository } from './audit.repository';

/** The audit log, for every module of the process (it needs PersistenceModule's Database). */
@Global()
@Module({
  providers: [AuditRepository, AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
