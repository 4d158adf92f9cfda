import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganizationEntity } from './organization.entity';

export type UserRole = 'admin' | 'agent' | 'end-user';

@Entity('users')
export class UserEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Personal('identifier')
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 320, nullable: true })
  email!: string | null;

  @Personal('identifier')
  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @NotPersonal()
  @Column({ type: 'varchar', length: 32 })
  role!: UserRole;

  /** The user's id in another system (Zendesk's `external_id`); optional when creating. */
  @Personal('identifier')
  @Index('uq_users_external_id', { unique: true })
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId?: string | null;

  @Personal('credential')
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @NotPersonal()
  @Column({ name: 'password_must_change', type: 'boolean', default: false })
  passwordMustChange!: boolean;

  @NotPersonal()
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** The organization of an end-user; optional here so that creating a user may omit it. */
  @NotPersonal()
  @Index('idx_users_organization_id')
  @Column({ name: 'organization_id', type: 'integer', nullable: true })
  organizationId?: number | null;

  @ManyToOne(() => OrganizationEntity, {
    onDelete: 'SET NULL',
    onUpdate: 'NO ACTION',
    nullable: true,
  })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_users_organization_id' })
  organization?: OrganizationEntity | null;

  @NotPersonal('set when the user was erased; the row stays as a tombstone')
  @Column({ name: 'erased_at', type: 'datetime', precision: 3, nullable: true })
  erasedAt!: Date | null;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
