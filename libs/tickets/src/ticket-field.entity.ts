import { NotPersonal, Personal } from '@steward/persistence';
import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { TicketEntity } from './ticket.entity';

/** Zendesk's ticket field types that Steward has (`tagger` is a drop-down list). */
export const TICKET_FIELD_TYPES = [
  'text',
  'textarea',
  'integer',
  'decimal',
  'checkbox',
  'date',
  'tagger',
  'multiselect',
  'regexp',
] as const;
export type TicketFieldType = (typeof TICKET_FIELD_TYPES)[number];

/**
 * A custom ticket field an admin defines (Zendesk's ticket field): its type, how agents and the
 * help center use it, and for `regexp` the pattern a value must match. Organisation data.
 */
@Entity('ticket_fields')
@Index('idx_ticket_fields_position', ['position', 'id'])
export class TicketFieldEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ type: 'varchar', length: 16 })
  type!: TicketFieldType;

  @NotPersonal('the name of a form field, organisation data')
  @Column({ type: 'varchar', length: 255 })
  title!: string;

  @NotPersonal('what a form field is for, organisation data')
  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @NotPersonal()
  @Column({ type: 'integer', default: 0 })
  position!: number;

  @NotPersonal()
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Agents must fill it in before the ticket can be solved. */
  @NotPersonal()
  @Column({ type: 'boolean', default: false })
  required!: boolean;

  @NotPersonal()
  @Column({ name: 'required_in_portal', type: 'boolean', default: false })
  requiredInPortal!: boolean;

  @NotPersonal()
  @Column({ name: 'visible_in_portal', type: 'boolean', default: false })
  visibleInPortal!: boolean;

  @NotPersonal()
  @Column({ name: 'editable_in_portal', type: 'boolean', default: false })
  editableInPortal!: boolean;

  @NotPersonal('a validation pattern, organisation data')
  @Column({ name: 'regexp_for_validation', type: 'varchar', length: 255, nullable: true })
  regexpForValidation!: string | null;

  /** The tag a checked checkbox adds to its ticket. */
  @NotPersonal('a label chosen by admins, not about a person')
  @Column({ type: 'varchar', length: 80, nullable: true })
  tag!: string | null;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}

/** One choice of a drop-down (`tagger`) or multi-select field; its value is a tag. */
@Entity('custom_field_options')
@Index('idx_custom_field_options_field_id', ['fieldId', 'position'])
export class CustomFieldOptionEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Column({ name: 'field_id', type: 'integer' })
  fieldId!: number;

  @ManyToOne(() => TicketFieldEntity, {
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
    nullable: false,
  })
  @JoinColumn({ name: 'field_id', foreignKeyConstraintName: 'fk_custom_field_options_field_id' })
  field?: TicketFieldEntity;

  @NotPersonal('the label of a choice, organisation data')
  @Column({ type: 'varchar', length: 255 })
  name!: string;

  @NotPersonal('a label chosen by admins, not about a person')
  @Column({ type: 'varchar', length: 80 })
  value!: string;

  @NotPersonal()
  @Column({ type: 'integer', default: 0 })
  position!: number;
}

/**
 * A ticket's value of one custom field, as text (see ticket-field-rules for each type's form).
 * The `(field, value)` index serves views that filter on a field (a prefix of the value on
 * MySQL/MariaDB, which cannot index a whole text column).
 */
@Entity('ticket_field_values')
@Index('idx_ticket_field_values_field_value', ['fieldId', 'value'])
export class TicketFieldValueEntity {
  @NotPersonal()
  @PrimaryColumn({ name: 'ticket_id', type: 'integer' })
  ticketId!: number;

  @ManyToOne(() => TicketEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION', nullable: false })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'fk_ticket_field_values_ticket_id' })
  ticket?: TicketEntity;

  @NotPersonal()
  @PrimaryColumn({ name: 'field_id', type: 'integer' })
  fieldId!: number;

  @ManyToOne(() => TicketFieldEntity, {
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
    nullable: false,
  })
  @JoinColumn({ name: 'field_id', foreignKeyConstraintName: 'fk_ticket_field_values_field_id' })
  field?: TicketFieldEntity;

  /** Whatever the agent or requester typed: content, exported and erased with the ticket's. */
  @Personal('content')
  @Column({ type: 'text' })
  value!: string;
}
