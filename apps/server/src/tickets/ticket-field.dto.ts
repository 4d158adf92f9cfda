import type {
  CustomFieldInput,
  CustomFieldOptionInput,
  CustomFieldValue,
  TicketFieldInput,
  TicketFieldView,
} from '@steward/tickets';
import {
  envelope,
  flag,
  invalidField,
  isObject,
  own,
  recordIdValue,
  text,
  type JsonObject,
} from '../http/request-body';
import { zendeskTime } from '../users/user.dto';

/** One choice of a drop-down or multi-select field. */
export interface ZendeskCustomFieldOption {
  id: number;
  name: string;
  raw_name: string;
  value: string;
  position: number;
}

/** A custom ticket field in the Zendesk Support API v2 shape. */
export interface ZendeskTicketField {
  url: string;
  id: number;
  type: string;
  title: string;
  raw_title: string;
  description: string;
  raw_description: string;
  position: number;
  active: boolean;
  required: boolean;
  collapsed_for_agents: boolean;
  regexp_for_validation: string | null;
  title_in_portal: string;
  raw_title_in_portal: string;
  visible_in_portal: boolean;
  editable_in_portal: boolean;
  required_in_portal: boolean;
  tag: string | null;
  removable: boolean;
  custom_field_options: ZendeskCustomFieldOption[];
  created_at: string;
  updated_at: string;
}

export interface TicketFieldResponseDto {
  ticket_field: ZendeskTicketField;
}

export interface TicketFieldListDto {
  ticket_fields: ZendeskTicketField[];
  next_page: null;
  previous_page: null;
  count: number;
}

/** `{"id": 1, "value": …}`: a ticket's value of one custom field. */
export interface ZendeskCustomFieldValue {
  id: number;
  value: unknown;
}

function wholeNumber(object: JsonObject, field: string): number | undefined {
  const value = own(object, field);
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw invalidField(field, 'must be a whole number');
}

function optionInputs(object: JsonObject): CustomFieldOptionInput[] | undefined {
  const value = own(object, 'custom_field_options');
  if (value === undefined) return undefined;
  if (value === null) return [];
  if (!Array.isArray(value)) {
    throw invalidField('custom_field_options', 'must be a list of {"name", "value"} objects');
  }
  return value.map((item: unknown) => {
    if (!isObject(item)) {
      throw invalidField('custom_field_options', 'must be a list of {"name", "value"} objects');
    }
    const id = own(item, 'id');
    return {
      id: id === undefined || id === null ? undefined : recordIdValue('custom_field_options', id),
      name: text(item, 'name') ?? undefined,
      value: text(item, 'value') ?? undefined,
      position: wholeNumber(item, 'position'),
    };
  });
}

/** `{"ticket_field": {...}}` → what the service takes; unknown fields are ignored. */
export function ticketFieldInput(body: unknown): TicketFieldInput {
  const field = envelope(body, 'ticket_field');
  return {
    type: text(field, 'type') ?? undefined,
    title: text(field, 'title') ?? undefined,
    description: text(field, 'description'),
    position: wholeNumber(field, 'position'),
    active: flag(field, 'active'),
    required: flag(field, 'required'),
    requiredInPortal: flag(field, 'required_in_portal'),
    visibleInPortal: flag(field, 'visible_in_portal'),
    editableInPortal: flag(field, 'editable_in_portal'),
    regexpForValidation: text(field, 'regexp_for_validation'),
    tag: text(field, 'tag'),
    customFieldOptions: optionInputs(field),
  };
}

/**
 * A ticket's (or request's) `custom_fields`, or its alias `fields`: `[{"id": 1, "value": …}]`.
 * Undefined when neither was sent.
 */
export function customFieldsInput(object: JsonObject): CustomFieldInput[] | undefined {
  const key = own(object, 'custom_fields') !== undefined ? 'custom_fields' : 'fields';
  const value = own(object, key);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidField(key, 'must be a list of {"id", "value"} objects');
  return value.map((item: unknown) => {
    if (!isObject(item)) throw invalidField(key, 'must be a list of {"id", "value"} objects');
    return { id: recordIdValue(key, own(item, 'id')), value: own(item, 'value') ?? null };
  });
}

export function toZendeskCustomFields(
  values: readonly CustomFieldValue[],
): ZendeskCustomFieldValue[] {
  return values.map((v) => ({ id: v.id, value: v.value }));
}

export function toZendeskTicketField(view: TicketFieldView, publicUrl: string): ZendeskTicketField {
  const { field } = view;
  return {
    url: `${publicUrl}/api/v2/ticket_fields/${field.id}.json`,
    id: field.id,
    type: field.type,
    title: field.title,
    raw_title: field.title,
    description: field.description ?? '',
    raw_description: field.description ?? '',
    position: field.position,
    active: field.active,
    required: field.required,
    collapsed_for_agents: false,
    regexp_for_validation: field.regexpForValidation,
    title_in_portal: field.title,
    raw_title_in_portal: field.title,
    visible_in_portal: field.visibleInPortal,
    editable_in_portal: field.editableInPortal,
    required_in_portal: field.requiredInPortal,
    tag: field.tag,
    removable: true,
    custom_field_options: view.options.map((option) => ({
      id: option.id,
      name: option.name,
      raw_name: option.name,
      value: option.value,
      position: option.position,
    })),
    created_at: zendeskTime(field.createdAt),
    updated_at: zendeskTime(field.updatedAt),
  };
}
