import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { GroupEntity } from './group.entity';
import { UserEntity } from './user.entity';

/**
 * An administrator's break-glass access to a confidential group's content: who, which group,
 * why, until when. Grants are never deleted: ended or expired, they stay as the access record.
 */
@Entity('break_glass_grants')
export class BreakGlassGrantEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** The administrator who holds the grant (after an erasure, the pseudonymous tombstone). */
  @Personal('identifier')
  @Index('idx_break_glass_grants_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_break_glass_grants_user_id' })
  user?: UserEntity;

  @NotPersonal()
  @Index('idx_break_glass_grants_group_id')
  @Column({ name: 'group_id', type: 'integer' })
  groupId!: number;

  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_break_glass_grants_group_id' })
  group?: GroupEntity;

  /** Why the administrator needed access: free text that may name people (a complaint, a case). */
  @Personal('content')
  @Column({ type: 'text' })
  reason!: string;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  /** When an administrator ended the grant before it expired; null otherwise. */
  @NotPersonal()
  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true })
  endedAt!: Date | null;
}
