import { NotPersonal } from '@steward/persistence';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A group of agents (a department: IT, HR, Facilities) that tickets are assigned to. */
@Entity('groups')
export class GroupEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** Unique among all groups, deleted ones included (Zendesk keeps deleted groups too). */
  @NotPersonal('the name of a department, organisation data')
  @Index('uq_groups_name', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @NotPersonal('what the department does, organisation data')
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** New tickets without a group go to the default group; at most one group is the default. */
  @NotPersonal()
  @Column({ name: 'default', type: 'boolean', default: false })
  isDefault!: boolean;

  /** Zendesk's `is_public`: a private group's tickets are only for its members and admins. */
  @NotPersonal()
  @Column({ name: 'is_public', type: 'boolean', default: true })
  isPublic!: boolean;

  /** Steward's: tickets of a confidential group are invisible to agents who are not members. */
  @NotPersonal()
  @Column({ type: 'boolean', default: false })
  confidential!: boolean;

  @NotPersonal()
  @Column({ name: 'deleted_at', type: 'datetime', precision: 3, nullable: true })
  deletedAt!: Date | null;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
