import { Injectable } from '@nestjs/common';
import { AuditLog } from '@steward/audit';
import { PolicyService, type UserEntity } from '@steward/identity';
import { Database } from '@steward/persistence';
import { Clock, ErrorCode, optionalText, requiredLine, StewardError } from '@steward/platform';
import { compilePattern } from './ticket-field-rules';
import {
  type CustomFieldOptionEntity,
  TICKET_FIELD_TYPES,
  type TicketFieldEntity,
  type TicketFieldType,
} from './ticket-field.entity';
import {
  type OptionRow,
  TicketFieldRepository,
  type TicketFieldRow,
} from './ticket-field.repository';
import { TicketError } from './ticket.errors';
import { normaliseTags } from './ticket-rules';

export const MAX_TICKET_FIELD_TITLE_LENGTH = 255;
export const MAX_TICKET_FIELD_DESCRIPTION_LENGTH = 1000;
export const MAX_FIELD_OPTIONS = 500;
export const MAX_TICKET_FIELDS = 400;

/** One choice of a drop-down or multi-select field as a client sends it. */
export interface CustomFieldOptionInput {
  /** The id of an option the field has, to keep it (and rename it); none for a new one. */
  readonly id?: number;
  readonly name?: string;
  readonly value?: string;
  readonly position?: number;
}

/** What a client may set on a ticket field; on update, an absent property stays as it is. */
export interface TicketFieldInput {
  readonly type?: string;
  readonly title?: string;
  readonly description?: string | null;
  readonly position?: number;
  readonly active?: boolean;
  readonly required?: boolean;
  readonly requiredInPortal?: boolean;
  readonly visibleInPortal?: boolean;
  readonly editableInPortal?: boolean;
  readonly regexpForValidation?: string | null;
  readonly tag?: string | null;
  readonly customFieldOptions?: readonly CustomFieldOptionInput[];
}

/** A field with its options (drop-down and multi-select fields have some). */
export interface TicketFieldView {
  readonly field: TicketFieldEntity;
  readonly options: readonly CustomFieldOptionEntity[];
}

const WITH_OPTIONS: readonly TicketFieldType[] = ['tagger', 'multiselect'];

/**
 * Custom ticket fields (Zendesk's ticket fields): everyone who reads tickets reads their
 * definitions; only `ticket_fields.manage` (admins) creates, changes and deletes them. A
 * field's type is fixed once created. Deleting a field deletes every ticket's value of it.
 * Each change is in the audit log.
 */
@Injectable()
export class TicketFieldService {
  constructor(
    private readonly fields: TicketFieldRepository,
    private readonly policy: PolicyService,
    private readonly audit: AuditLog,
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async list(user: Readonly<UserEntity>): Promise<TicketFieldView[]> {
    this.require(user, 'tickets.read', 'You do not have access to ticket fields');
    const fields = await this.fields.list({ activeOnly: false });
    return this.withOptions(fields);
  }

  async show(id: number, user: Readonly<UserEntity>): Promise<TicketFieldView> {
    this.require(user, 'tickets.read', 'You do not have access to ticket fields');
    return this.found(id);
  }

  async create(input: TicketFieldInput, user: Readonly<UserEntity>): Promise<TicketFieldView> {
    this.require(user, 'ticket_fields.manage', 'Only admins may create ticket fields');
    if (input.type === undefined) {
      throw TicketError.invalid('type', `is required: one of ${TICKET_FIELD_TYPES.join(', ')}`);
    }
    const type = checkType(input.type);
    if (input.title === undefined) throw TicketError.invalid('title', 'is required');
    const now = this.clock.now();
    const row: TicketFieldRow = {
      type,
      title: checkTitle(input.title),
      description: checkDescription(input.description ?? null),
      position: checkPosition(input.position ?? 0),
      active: input.active ?? true,
      required: input.required ?? false,
      requiredInPortal: input.requiredInPortal ?? false,
      visibleInPortal: input.visibleInPortal ?? false,
      editableInPortal: input.editableInPortal ?? false,
      regexpForValidation: checkPattern(type, input.regexpForValidation ?? null),
      tag: checkTag(type, input.tag ?? null),
      createdAt: now,
      updatedAt: now,
    };
    const options = checkOptions(type, input.customFieldOptions, true);
    const id = await this.db.transaction(async () => {
      if ((await this.fields.list({ activeOnly: false })).length >= MAX_TICKET_FIELDS) {
        throw TicketError.invalid('ticket_field', `at most ${MAX_TICKET_FIELDS} ticket fields`);
      }
      const field = await this.fields.insert(row);
      if (options) await this.fields.replaceOptions(field.id, options);
      await this.record(user, field.id, { change: 'created', type, title: row.title });
      return field.id;
    });
    return this.found(id);
  }

  async update(
    id: number,
    input: TicketFieldInput,
    user: Readonly<UserEntity>,
  ): Promise<TicketFieldView> {
    this.require(user, 'ticket_fields.manage', 'Only admins may change ticket fields');
    await this.db.transaction(async () => {
      const { field } = await this.found(id);
      if (input.type !== undefined && input.type !== field.type) {
        throw TicketError.invalid('type', 'cannot change once the field is created');
      }
      const changes: Partial<TicketFieldRow> = {};
      if (input.title !== undefined) changes.title = checkTitle(input.title);
      if (input.description !== undefined) {
        changes.description = checkDescription(input.description);
      }
      if (input.position !== undefined) changes.position = checkPosition(input.position);
      if (input.active !== undefined) changes.active = input.active;
      if (input.required !== undefined) changes.required = input.required;
      if (input.requiredInPortal !== undefined) changes.requiredInPortal = input.requiredInPortal;
      if (input.visibleInPortal !== undefined) changes.visibleInPortal = input.visibleInPortal;
      if (input.editableInPortal !== undefined) changes.editableInPortal = input.editableInPortal;
      if (input.regexpForValidation !== undefined) {
        changes.regexpForValidation = checkPattern(field.type, input.regexpForValidation);
      }
      if (input.tag !== undefined) changes.tag = checkTag(field.type, input.tag);
      const options = checkOptions(field.type, input.customFieldOptions, false);
      await this.fields.update(field.id, { ...changes, updatedAt: this.clock.now() });
      if (options) await this.fields.replaceOptions(field.id, options);
      await this.record(user, field.id, {
        change: 'updated',
        fields: [...Object.keys(changes), ...(options ? ['custom_field_options'] : [])],
      });
    });
    return this.found(id);
  }

  async delete(id: number, user: Readonly<UserEntity>): Promise<void> {
    this.require(user, 'ticket_fields.manage', 'Only admins may delete ticket fields');
    await this.db.transaction(async () => {
      const { field } = await this.found(id);
      await this.fields.delete(field.id);
      await this.record(user, field.id, {
        change: 'deleted',
        type: field.type,
        title: field.title,
      });
    });
  }

  private async found(id: number): Promise<TicketFieldView> {
    const field = await this.fields.findById(id);
    if (!field) throw TicketError.notFound();
    const [view] = await this.withOptions([field]);
    return view;
  }

  private async withOptions(fields: readonly TicketFieldEntity[]): Promise<TicketFieldView[]> {
    const options = await this.fields.optionsOf(
      fields.filter((f) => WITH_OPTIONS.includes(f.type)).map((f) => f.id),
    );
    return fields.map((field) => ({
      field,
      options: options.filter((o) => o.fieldId === field.id),
    }));
  }

  private require(user: Readonly<UserEntity>, permission: string, message: string): void {
    if (!this.policy.can(user, permission)) throw new StewardError(ErrorCode.Forbidden, message);
  }

  private async record(
    user: Readonly<UserEntity>,
    id: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      actorType: 'user',
      actorId: user.id,
      action: 'ticket_field.changed',
      targetType: 'ticket_field',
      targetId: id,
      details,
    });
  }
}

function checkType(raw: string): TicketFieldType {
  if ((TICKET_FIELD_TYPES as readonly string[]).includes(raw)) return raw as TicketFieldType;
  throw TicketError.invalid('type', `must be one of ${TICKET_FIELD_TYPES.join(', ')}`);
}

function checkTitle(raw: string): string {
  return requiredLine(raw, MAX_TICKET_FIELD_TITLE_LENGTH, (problem) =>
    TicketError.invalid('title', problem),
  );
}

function checkDescription(raw: string | null): string | null {
  return optionalText(raw, MAX_TICKET_FIELD_DESCRIPTION_LENGTH, (problem) =>
    TicketError.invalid('description', problem),
  );
}

function checkPosition(raw: number): number {
  if (Number.isSafeInteger(raw) && raw >= 0 && raw <= 1_000_000) return raw;
  throw TicketError.invalid('position', 'must be a whole number from 0 to 1000000');
}

/** A `regexp` field needs a pattern that compiles; other types take none. */
function checkPattern(type: TicketFieldType, raw: string | null): string | null {
  const pattern = raw === null || raw === '' ? null : raw;
  if (type !== 'regexp') {
    if (pattern !== null) {
      throw TicketError.invalid('regexp_for_validation', 'is only for regexp fields');
    }
    return null;
  }
  if (pattern === null) {
    throw TicketError.invalid('regexp_for_validation', 'is required for a regexp field');
  }
  compilePattern(pattern);
  return pattern;
}

/** A checkbox's tag (one valid tag); other types take none. */
function checkTag(type: TicketFieldType, raw: string | null): string | null {
  if (raw === null || raw.trim() === '') return null;
  if (type !== 'checkbox') throw TicketError.invalid('tag', 'is only for checkbox fields');
  const tags = normaliseTags([raw], 'tag');
  if (tags.length !== 1) throw TicketError.invalid('tag', 'must be one tag');
  return tags[0];
}

/**
 * The options of a drop-down or multi-select field: at least one, each with a name and a value
 * (a tag, unique in the field). Undefined on update when none were sent (they stay).
 */
function checkOptions(
  type: TicketFieldType,
  raw: readonly CustomFieldOptionInput[] | undefined,
  creating: boolean,
): OptionRow[] | undefined {
  if (!WITH_OPTIONS.includes(type)) {
    if (raw !== undefined && raw.length > 0) {
      throw TicketError.invalid(
        'custom_field_options',
        'are only for tagger and multiselect fields',
      );
    }
    return undefined;
  }
  if (raw === undefined && !creating) return undefined;
  if (raw === undefined || raw.length === 0) {
    throw TicketError.invalid('custom_field_options', 'needs at least one option');
  }
  if (raw.length > MAX_FIELD_OPTIONS) {
    throw TicketError.invalid('custom_field_options', `at most ${MAX_FIELD_OPTIONS} options`);
  }
  const values = new Set<string>();
  return raw.map((option, index) => {
    const name = requiredLine(option.name ?? '', MAX_TICKET_FIELD_TITLE_LENGTH, (problem) =>
      TicketError.invalid('custom_field_options', `name ${problem}`),
    );
    const tags = normaliseTags([option.value ?? ''], 'custom_field_options');
    if (tags.length !== 1) {
      throw TicketError.invalid('custom_field_options', `"${name}" needs a value: one tag`);
    }
    const value = tags[0];
    if (values.has(value)) {
      throw TicketError.invalid('custom_field_options', `the value "${value}" is used twice`);
    }
    values.add(value);
    const position = option.position ?? index;
    return { id: option.id, name, value, position: checkPosition(position) };
  });
}
