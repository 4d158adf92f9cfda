import { Injectable } from '@nestjs/common';
import { shownValue, storedValue, tagsOfValue } from './ticket-field-rules';
import { TicketFieldRepository } from './ticket-field.repository';
import type { TicketFieldEntity } from './ticket-field.entity';
import { changeEvent } from './ticket-audit-events';
import type { AuditEventRow } from './ticket.repository';
import { TicketError } from './ticket.errors';

/** The most custom field values one request may set. */
export const MAX_CUSTOM_FIELDS_PER_CHANGE = 400;

/** `{"id": 123, "value": …}` as a client sends it in `custom_fields` (or `fields`). */
export interface CustomFieldInput {
  readonly id: number;
  readonly value: unknown;
}

/** A field's value as the API shows it: null when unset, false for an unchecked checkbox. */
export interface CustomFieldValue {
  readonly id: number;
  readonly value: unknown;
}

/** Who sets the values: staff, or a requester through the help center (the Requests API). */
export type FieldAudience = 'staff' | 'portal';

interface FieldChange {
  readonly field: TicketFieldEntity;
  readonly before: string | null;
  readonly after: string | null;
}

/** A checked change of a ticket's custom field values, not yet written. */
export interface FieldPlan {
  readonly changes: readonly FieldChange[];
}

/**
 * Tickets' custom field values: checks what a client sends (only active fields, in the help
 * center only those editable there, each value by its field's type), the rules on solving
 * (`required`) and on requests (`required_in_portal`), the tags drop-down and checkbox values
 * put on the ticket, and the audit events of a change. TicketService calls it inside its
 * transactions; values for a page of tickets load in one query.
 */
@Injectable()
export class TicketFieldValues {
  constructor(private readonly fields: TicketFieldRepository) {}

  /**
   * Checks `input` against the ticket's current values (none for a new ticket). `solving`:
   * every required field must have a value after the change. `portal` on a new request: every
   * field required in the portal must have one.
   */
  async plan(
    ticketId: number | undefined,
    input: readonly CustomFieldInput[] | undefined,
    options: { audience: FieldAudience; solving: boolean },
  ): Promise<FieldPlan> {
    const creatingRequest = options.audience === 'portal' && ticketId === undefined;
    if (input === undefined && !options.solving && !creatingRequest) return { changes: [] };
    if (input !== undefined && input.length > MAX_CUSTOM_FIELDS_PER_CHANGE) {
      throw TicketError.invalid('custom_fields', `at most ${MAX_CUSTOM_FIELDS_PER_CHANGE} fields`);
    }
    const active = await this.fields.list({ activeOnly: true });
    const byId = new Map(active.map((field) => [field.id, field]));
    const current = new Map(
      ticketId === undefined
        ? []
        : (await this.fields.valuesOf([ticketId])).map((v) => [v.fieldId, v.value] as const),
    );
    const wanted = new Map<number, unknown>();
    for (const item of input ?? []) {
      const field = byId.get(item.id);
      if (!field || (options.audience === 'portal' && !field.editableInPortal)) {
        throw TicketError.invalid('custom_fields', `${item.id} is not a ticket field you can set`);
      }
      wanted.set(field.id, item.value);
    }
    const withOptions = [...wanted.keys()].filter((id) => {
      const type = byId.get(id)?.type;
      return type === 'tagger' || type === 'multiselect';
    });
    const choices = await this.fields.optionsOf(withOptions);
    const changes: FieldChange[] = [];
    const after = new Map(current);
    for (const [id, raw] of wanted) {
      const field = byId.get(id) as TicketFieldEntity;
      const value = storedValue(
        {
          id,
          type: field.type,
          regexpForValidation: field.regexpForValidation,
          optionValues: choices.filter((o) => o.fieldId === id).map((o) => o.value),
        },
        raw,
      );
      const before = current.get(id) ?? null;
      if (value === null) after.delete(id);
      else after.set(id, value);
      if (before !== value) changes.push({ field, before, after: value });
    }
    const missing = (rule: (field: TicketFieldEntity) => boolean, problem: string) => {
      const field = active.find((f) => rule(f) && !after.has(f.id));
      if (field)
        throw TicketError.invalid(`custom_fields.${field.id}`, `${field.title} ${problem}`);
    };
    if (options.solving) missing((f) => f.required, 'is required to solve the ticket');
    if (creatingRequest) {
      missing((f) => f.requiredInPortal && f.editableInPortal, 'is required');
    }
    return { changes };
  }

  /** The ticket's tags after the change: the old values' tags go, the new values' come. */
  retag(plan: FieldPlan, tags: readonly string[]): string[] {
    const removed = new Set(
      plan.changes.flatMap((c) => tagsOfValue(c.field.type, c.field.tag, c.before)),
    );
    const added = plan.changes.flatMap((c) => tagsOfValue(c.field.type, c.field.tag, c.after));
    return [...new Set([...tags.filter((tag) => !removed.has(tag)), ...added])];
  }

  /** Whether the change moves any tags. */
  changesTags(plan: FieldPlan): boolean {
    return plan.changes.some(
      (c) =>
        tagsOfValue(c.field.type, c.field.tag, c.before).length > 0 ||
        tagsOfValue(c.field.type, c.field.tag, c.after).length > 0,
    );
  }

  async save(ticketId: number, plan: FieldPlan): Promise<void> {
    for (const change of plan.changes) {
      await this.fields.setValue(ticketId, change.field.id, change.after);
    }
  }

  /** The audit events: one per field, named by the field's id as Zendesk does. */
  events(plan: FieldPlan, type: 'Create' | 'Change'): AuditEventRow[] {
    return plan.changes
      .filter((c) => type === 'Change' || c.after !== null)
      .map((c) =>
        changeEvent(
          type,
          String(c.field.id),
          shownValue(c.field.type, c.after),
          shownValue(c.field.type, c.before),
        ),
      );
  }

  /**
   * Every active field's value for each of these tickets (value or null), by the fields'
   * position; in the help center only the fields visible there. Two queries for any number of
   * tickets.
   */
  async valuesOf(
    ticketIds: readonly number[],
    audience: FieldAudience,
  ): Promise<Map<number, CustomFieldValue[]>> {
    if (ticketIds.length === 0) return new Map();
    const [active, values] = await Promise.all([
      this.fields.list({ activeOnly: true }),
      this.fields.valuesOf(ticketIds),
    ]);
    const shown = active.filter((f) => audience === 'staff' || f.visibleInPortal);
    const stored = new Map(values.map((v) => [`${v.ticketId}:${v.fieldId}`, v.value]));
    return new Map(
      ticketIds.map((ticketId) => [
        ticketId,
        shown.map((field) => ({
          id: field.id,
          value: shownValue(field.type, stored.get(`${ticketId}:${field.id}`) ?? null),
        })),
      ]),
    );
  }
}
