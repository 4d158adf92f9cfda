import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CustomRoleEntity } from './custom-role.entity';
import { OrganizationEntity } from './organization.entity';

/**
 * The stored role. A light agent is its own role here (so that nothing that checks for `agent`
 * lets one through by accident); on the wire it is Zendesk's `role: "agent"` with
 * `role_type: 1`. An agent with `customRoleId` set has that role's permissions instead.
 */
export type UserRole = 'admin' | 'agent' | 'light-agent' | 'end-user';

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

  /** Loosely checked: digits, spaces and `+ - ( )`, at most 50 characters. */
  @Personal('contact')
  @Column({ type: 'varchar', length: 50, nullable: true })
  phone!: string | null;

  /** A BCP 47 language tag, canonicalised (`en-US`). */
  @NotPersonal('a display preference that many people share; exported with the profile')
  @Column({ type: 'varchar', length: 35, default: 'en-US' })
  locale!: string;

  /** An IANA time zone name, canonicalised (`Europe/Berlin`, `UTC`). */
  @NotPersonal('a display preference that many people share; exported with the profile')
  @Column({ name: 'time_zone', type: 'varchar', length: 64, default: 'UTC' })
  timeZone!: string;

  /** An agent's custom role (Zendesk's `custom_role_id`, `role_type` 0); null for the others. */
  @NotPersonal()
  @Index('idx_users_custom_role_id')
  @Column({ name: 'custom_role_id', type: 'integer', nullable: true })
  customRoleId?: number | null;

  /**
   * Eager, so that every lookup of a user (the API token and session paths included) brings
   * the role's permissions in the same query and `PolicyService.can` stays synchronous.
   * Deleting a role that users hold is refused (the service checks; the key is the backstop).
   */
  @ManyToOne(() => CustomRoleEntity, {
    eager: true,
    onDelete: 'NO ACTION',
    onUpdate: 'NO ACTION',
    nullable: true,
  })
  @JoinColumn({ name: 'custom_role_id', foreignKeyConstraintName: 'fk_users_custom_role_id' })
  customRole?: CustomRoleEntity | null;

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
