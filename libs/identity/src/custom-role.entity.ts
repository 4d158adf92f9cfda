import { NotPersonal } from '@steward/persistence';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Permission } from './policy.service';

/** The permission list as stored: a JSON array of permission names. */
const permissionList = {
  to: (value: readonly Permission[]): string => JSON.stringify(value),
  from: (value: string): Permission[] => JSON.parse(value) as Permission[],
};

/** A custom agent role (Zendesk's `role_type` 0): a named set of agent-grantable permissions. */
@Entity('custom_roles')
export class CustomRoleEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal('the name of a job function, organisation data')
  @Index('uq_custom_roles_name', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @NotPersonal('what the job function may do, organisation data')
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Checked against AGENT_GRANTABLE_PERMISSIONS on write, and again by the policy on use. */
  @NotPersonal()
  @Column({ type: 'text', transformer: permissionList })
  permissions!: Permission[];

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
