import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * A step a session owes after the password: the second factor of a user who has one, or the
 * enrolment of one when the policy requires it. Such a session may do only that (and sign out).
 */
export type SessionStep = 'two_factor' | 'two_factor_enrolment';

/**
 * A web session (the `steward_session` cookie). The cookie carries 256 random bits; the row's id
 * is their SHA-256, so a copy of the database holds no usable session.
 */
@Entity('sessions')
export class SessionEntity {
  /** SHA-256 (hex) of the session token. */
  @Personal('credential')
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Personal('identifier')
  @Index('idx_sessions_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_sessions_user_id' })
  user?: UserEntity;

  @NotPersonal('when the user signed in; deleted with the session')
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal('when the session was last used, to the minute; deleted with the session')
  @Column({ name: 'last_seen_at', type: 'datetime', precision: 3 })
  lastSeenAt!: Date;

  /** The absolute end of the session, whatever its use. */
  @NotPersonal()
  @Index('idx_sessions_expires_at')
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  /** Signed in with a password that must be changed: only the password change is allowed. */
  @NotPersonal()
  @Column({ name: 'must_change_password', type: 'boolean', default: false })
  mustChangePassword!: boolean;

  /**
   * When the user last proved their password (and second factor, when enabled) in this session:
   * sensitive actions need it to be recent (ASVS V3.7.1). Null until the session is complete.
   */
  @NotPersonal('when the user last signed in or re-authenticated; deleted with the session')
  @Column({ name: 'authenticated_at', type: 'datetime', precision: 3, nullable: true })
  authenticatedAt!: Date | null;

  /** What the session must still do before it is a full one (`SessionStep`); null when nothing. */
  @NotPersonal()
  @Column({ name: 'pending_step', type: 'varchar', length: 32, nullable: true })
  pendingStep!: SessionStep | null;

  @Personal('network')
  @Column({ type: 'varchar', length: 45, nullable: true })
  ip!: string | null;

  @Personal('network')
  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @NotPersonal()
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;
}
