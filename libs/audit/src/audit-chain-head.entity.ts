import { NotPersonal } from '@steward/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The id of the one row of `audit_chain_head`. */
export const CHAIN_HEAD_ID = 1;

/**
 * The end of the audit chain: the last entry's id and hash, in one row. Every append locks
 * this row (SELECT … FOR UPDATE on MySQL/MariaDB), so appends from many servers queue up and
 * the chain never forks; `verify` compares it with the last entry, so a removed tail shows.
 */
@Entity('audit_chain_head')
export class AuditChainHeadEntity {
  @NotPersonal()
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ name: 'last_id', type: 'integer' })
  lastId!: number;

  @NotPersonal()
  @Column({ name: 'last_hash', type: 'varchar', length: 64 })
  lastHash!: string;
}
