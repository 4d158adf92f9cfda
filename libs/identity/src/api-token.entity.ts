import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/**
 * An API token of a user, for the Zendesk-style `email/token:TOKEN` Basic form and for Bearer.
 * Only the SHA-256 of the token is stored: tokens are 256 random bits, so a fast hash is safe
 * and keeps the lookup to one indexed equality match.
 */
@Entity('api_tokens')
export class ApiTokenEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Personal('identifier')
  @Index('idx_api_tokens_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_api_tokens_user_id' })
  user?: UserEntity;

  /** Typed by the person who made the token ("Ann's laptop"): their words, so `content`. */
  @Personal('content')
  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Personal('credential')
  @Index('uq_api_tokens_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** The token's last 4 characters, to recognise it in a list; derived from the secret. */
  @Personal('credential')
  @Column({ type: 'varchar', length: 8 })
  hint!: string;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal('when the token last authenticated, to the minute; deleted with the token')
  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true })
  lastUsedAt!: Date | null;

  @NotPersonal()
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true })
  revokedAt!: Date | null;
}
