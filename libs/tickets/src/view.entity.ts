import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { ViewConditions, ViewExecution } from './view-conditions';

/** Who may use a view: everyone (shared), one user (personal) or the members of one group. */
export const VIEW_RESTRICTIONS = ['User', 'Group'] as const;
export type ViewRestrictionType = (typeof VIEW_RESTRICTIONS)[number];

/** A JSON column: stored as text on both dialects, checked on write by view-conditions. */
function json<T>(): { to: (value: T) => string; from: (value: string) => T } {
  return {
    to: (value: T): string => JSON.stringify(value),
    from: (value: string): T => JSON.parse(value) as T,
  };
}

/**
 * A view: a saved ticket filter (Zendesk's Views). Its conditions are compiled to SQL over the
 * tickets' indexed columns on every run, always inside the caller's ticket scope.
 */
@Entity('views')
@Index('idx_views_restriction', ['restrictionType', 'restrictionId'])
export class ViewEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal('the name of a work queue, organisation data')
  @Column({ type: 'varchar', length: 255 })
  title!: string;

  @NotPersonal('what a work queue is for, organisation data')
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @NotPersonal()
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @NotPersonal()
  @Column({ type: 'integer', default: 0 })
  position!: number;

  @NotPersonal()
  @Column({ name: 'restriction_type', type: 'varchar', length: 16, nullable: true })
  restrictionType!: ViewRestrictionType | null;

  /**
   * The user (personal view) or group it is restricted to. A personal view's owner id is a
   * work setting, like a group membership, not data about the person; the view is deleted
   * through the API like any other.
   */
  /** The owner of a personal view (a user id), or the group of a group view. */
  @Personal('identifier')
  @Column({ name: 'restriction_id', type: 'integer', nullable: true })
  restrictionId!: number | null;

  /** Field/operator/value rules; ids of users or groups at most, no ticket content. */
  @NotPersonal('filter rules over ticket fields')
  @Column({ type: 'text', transformer: json<ViewConditions>() })
  conditions!: ViewConditions;

  @NotPersonal()
  @Column({ type: 'text', transformer: json<ViewExecution>() })
  execution!: ViewExecution;

  /** Set on the views Steward installs (`my_open`, …); null on those people create. */
  @NotPersonal()
  @Index('uq_views_default_key', { unique: true })
  @Column({ name: 'default_key', type: 'varchar', length: 32, nullable: true })
  defaultKey!: string | null;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
