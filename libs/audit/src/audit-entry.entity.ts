import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who acted: a signed-in user, an API token, Steward itself, or someone not signed in. */
export type AuditActorType = 'user' | 'system' | 'api_token' | 'anonymous';

export const AUDIT_ACTOR_TYPES: readonly AuditActorType[] = [
  'user',
  'system',
  'api_token',
  'anonymous',
];

/**
 * One entry of the append-only audit log. Entries form a hash chain: `hash` covers every
 * accountable field and `prev_hash`, so an edited, removed or inserted entry is detected by
 * `steward audit verify`. The ids are assigned by the chain (1, 2, 3 … without gaps), not by
 * the database, so a missing id is a removed entry.
 *
 * `ip` and `user_agent` are outside the hash: they are network metadata about the actor, and a
 * data subject's erasure removes them. The chain covers them through `network_digest`, an HMAC
 * of both keyed with the entry's own random `network_salt`: while the salt is there, an edited
 * IP address or user agent is detected; erasure removes ip, user agent and salt together and
 * leaves a digest that can no longer be tied to any address.
 */
@Entity('audit_entries')
@Index('ix_audit_entries_occurred_at', ['occurredAt'])
@Index('ix_audit_entries_actor', ['actorType', 'actorId'])
@Index('ix_audit_entries_action', ['action'])
@Index('ix_audit_entries_target', ['targetType', 'targetId'])
export class AuditEntryEntity {
  @NotPersonal('position in the chain: 1, 2, 3 …')
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ name: 'occurred_at', type: 'datetime', precision: 3 })
  occurredAt!: Date;

  @NotPersonal()
  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType!: AuditActorType;

  @Personal('identifier')
  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  @NotPersonal('a dotted event name such as auth.sign_in.failed')
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @NotPersonal()
  @Column({ name: 'target_type', type: 'varchar', length: 32, nullable: true })
  targetType!: string | null;

  @Personal('identifier')
  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId!: string | null;

  @Personal('network')
  @Column({ type: 'varchar', length: 45, nullable: true })
  ip!: string | null;

  @Personal('network')
  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @NotPersonal('random key of network_digest; removed with ip and user_agent on erasure')
  @Column({ name: 'network_salt', type: 'varchar', length: 32, nullable: true })
  networkSalt!: string | null;

  @NotPersonal('keyed digest of ip and user_agent; unlinkable once network_salt is removed')
  @Column({ name: 'network_digest', type: 'varchar', length: 64, nullable: true })
  networkDigest!: string | null;

  /** A JSON object, scrubbed of secrets, at most 8 KB. */
  @Personal('content')
  @Column({ type: 'text', nullable: true })
  details!: string | null;

  @NotPersonal()
  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @NotPersonal()
  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}
