import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from './user.entity';

/** The kinds of identity a user may have; Zendesk knows more (phone, twitter, …). */
export type UserIdentityType = 'email';

export const USER_IDENTITY_TYPES: readonly UserIdentityType[] = ['email'];

/**
 * A way to reach and recognise a user (Zendesk's "user identity"). The primary email identity
 * is mirrored in `users.email`, which sign-in and tokens read.
 */
@Entity('user_identities')
@Index('uq_user_identities_type_value', ['type', 'value'], { unique: true })
export class UserIdentityEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Personal('identifier')
  @Index('idx_user_identities_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_identities_user_id' })
  user?: UserEntity;

  @NotPersonal()
  @Column({ type: 'varchar', length: 32 })
  type!: UserIdentityType;

  /** The address, lower-cased and trimmed. */
  @Personal('identifier')
  @Column({ type: 'varchar', length: 320 })
  value!: string;

  @NotPersonal()
  @Column({ type: 'boolean', default: false })
  primary!: boolean;

  @NotPersonal()
  @Column({ type: 'boolean', default: false })
  verified!: boolean;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
