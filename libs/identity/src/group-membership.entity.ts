import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { GroupEntity } from './group.entity';
import { UserEntity } from './user.entity';

/** An agent's or admin's membership of a group; one per user and group. */
@Entity('group_memberships')
@Index('uq_group_memberships_user_group', ['userId', 'groupId'], { unique: true })
export class GroupMembershipEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Personal('identifier')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_group_memberships_user_id' })
  user?: UserEntity;

  @NotPersonal()
  @Index('idx_group_memberships_group_id')
  @Column({ name: 'group_id', type: 'integer' })
  groupId!: number;

  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_group_memberships_group_id' })
  group?: GroupEntity;

  /** The user's default group; at most one per user. */
  @NotPersonal()
  @Column({ name: 'default', type: 'boolean', default: false })
  isDefault!: boolean;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
