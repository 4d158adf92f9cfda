import type { ReferenceObject, SchemaObject } from '@nestjs/swagger';
import { AUDIT_ACTOR_TYPES } from '@steward/audit';
import { AGENT_GRANTABLE_PERMISSIONS, USER_IDENTITY_TYPES, USER_ROLES } from '@steward/identity';
import {
  TICKET_PRIORITIES,
  TICKET_SORTS,
  TICKET_STATUSES,
  TICKET_TYPES,
  VIA_CHANNELS,
  VIEW_COLUMNS,
  VIEW_CONDITION_FIELDS,
  VIEW_RESTRICTIONS,
  TICKET_FIELD_TYPES,
} from '@steward/tickets';
import type {
  UploadResponseDto,
  ZendeskAttachment,
  ZendeskUpload,
} from '../attachments/attachment.dto';
import type { AuditLogListDto, ZendeskAuditLog } from '../audit/audit-log.dto';
import type { ReauthenticationResponseDto, SessionResponseDto } from '../auth/session.controller';
import type {
  RecoveryCodesDto,
  TwoFactorEnrolmentDto,
  TwoFactorStatusDto,
} from '../auth/two-factor.controller';
import type { ZendeskBreakGlassGrant } from '../break-glass/break-glass.dto';
import type { CustomRoleListDto, ZendeskCustomRole } from '../custom-roles/custom-role.dto';
import type { ZendeskGroup, ZendeskGroupMembership } from '../groups/group.dto';
import type { ErrorBody } from '../http/error.filter';
import type { ZendeskJobResult, ZendeskJobStatus } from '../job-statuses/job-status.dto';
import type { PageLinks } from '../http/request-body';
import type { ZendeskOrganization } from '../organizations/organization.dto';
import type {
  ZendeskAuditEvent,
  ZendeskComment,
  ZendeskTicket,
  ZendeskTicketAudit,
} from '../tickets/ticket.dto';
import type { CommentResponseDto } from '../tickets/ticket-comments.dto';
import type { TagListDto, TagNamesDto, ZendeskTagCount } from '../tickets/tag.dto';
import type { ZendeskTicketRelated } from '../tickets/ticket-relations.dto';
import type {
  IncrementalCursorPageDto,
  IncrementalTimePageDto,
  ZendeskExportedTicket,
} from '../tickets/incremental.dto';
import type { ZendeskRequest, ZendeskRequestComment } from '../requests/request.dto';
import type {
  TicketFieldListDto,
  ZendeskCustomFieldOption,
  ZendeskTicketField,
} from '../tickets/ticket-field.dto';
import type { SearchCountDto, SearchResultsDto } from '../search/search.dto';
import type { ZendeskUser, ZendeskUserIdentity } from '../users/user.dto';
import type {
  ZendeskView,
  ZendeskViewColumn,
  ZendeskViewCount,
  ZendeskViewRow,
} from '../views/view.dto';

import type { CursorLinks } from '../tickets/ticket-cursor';

type Schema = SchemaObject | ReferenceObject;

/**
 * An object schema with exactly the fields of `T` (a response DTO interface): a field added to
 * the DTO, or renamed, and not described here fails to compile, so the document cannot drift
 * from what the controllers send. Every field is always present unless `optional` names it.
 */
function shape<T>(
  description: string,
  properties: { [K in keyof T]-?: Schema },
  optional: readonly (keyof T & string)[] = [],
): SchemaObject {
  return {
    type: 'object',
    description,
    properties,
    required: Object.keys(properties).filter(
      (name) => !optional.includes(name as keyof T & string),
    ),
  };
}

/** A request body's inner object: every field optional (the services say what is required). */
function input(description: string, properties: Record<string, Schema>): SchemaObject {
  return { type: 'object', description, properties };
}

/** `{"<key>": <schema>}`, Zendesk's envelope around one record. */
function envelope(key: string, schema: Schema, description: string): SchemaObject {
  return { type: 'object', description, properties: { [key]: schema }, required: [key] };
}

const id: SchemaObject = { type: 'integer', format: 'int64', minimum: 1 };
const idOrNull: SchemaObject = { ...id, nullable: true };
const text: SchemaObject = { type: 'string' };
const textOrNull: SchemaObject = { type: 'string', nullable: true };
const flag: SchemaObject = { type: 'boolean' };
const url: SchemaObject = { type: 'string', format: 'uri', description: 'The record in the API' };
/** Zendesk's time stamps: ISO 8601 in UTC to the second, `2026-11-21T08:00:00Z`. */
const time: SchemaObject = { type: 'string', format: 'date-time', example: '2026-11-21T08:00:00Z' };
const textList: SchemaObject = { type: 'array', items: text };
const noCustomFields: SchemaObject = {
  type: 'object',
  additionalProperties: true,
  description: 'Custom fields (none yet in Steward)',
};
const pageUrl: SchemaObject = {
  type: 'string',
  format: 'uri',
  nullable: true,
  description: 'The URL of the next or previous page; null at the end',
};

/** Zendesk's offset pagination, at the end of every list but the audit log's. */
const pageLinks: { [K in keyof PageLinks]-?: Schema } = {
  next_page: pageUrl,
  previous_page: pageUrl,
  count: { type: 'integer', minimum: 0, description: 'How many records the whole list has' },
};

/** A `{"<key>": [...], next_page, previous_page, count}` page. */
function list(key: string, item: Schema, description: string): SchemaObject {
  return {
    type: 'object',
    description,
    properties: { [key]: { type: 'array', items: item }, ...pageLinks },
    required: [key, ...Object.keys(pageLinks)],
  };
}

const user = shape<ZendeskUser>('A user (Zendesk Support API v2)', {
  id,
  url,
  name: text,
  email: { type: 'string', format: 'email', nullable: true },
  created_at: time,
  updated_at: time,
  time_zone: text,
  iana_time_zone: text,
  phone: textOrNull,
  photo: { type: 'object', nullable: true, description: 'Always null: Steward has no photos yet' },
  locale: text,
  locale_id: { type: 'integer', nullable: true, description: '1 for en-US, otherwise null' },
  organization_id: idOrNull,
  role: { type: 'string', enum: [...USER_ROLES] },
  role_type: {
    type: 'integer',
    nullable: true,
    description: 'null (agent, end-user), 0 (custom role), 1 (light agent), 4 (admin)',
  },
  custom_role_id: idOrNull,
  default_group_id: { ...idOrNull, description: 'Read-only: the group of the default membership' },
  verified: flag,
  external_id: textOrNull,
  tags: textList,
  alias: textOrNull,
  active: { type: 'boolean', description: 'False once the user is deleted (deactivated)' },
  shared: flag,
  shared_agent: flag,
  last_login_at: { ...time, nullable: true },
  two_factor_auth_enabled: flag,
  signature: textOrNull,
  details: textOrNull,
  notes: textOrNull,
  moderator: flag,
  ticket_restriction: { type: 'string', enum: ['requested'], nullable: true },
  only_private_comments: flag,
  restricted_agent: flag,
  suspended: flag,
  user_fields: noCustomFields,
});

const userIdentity = shape<ZendeskUserIdentity>('A user identity: one email address of a user', {
  url,
  id,
  user_id: id,
  type: { type: 'string', enum: [...USER_IDENTITY_TYPES] },
  value: text,
  verified: flag,
  primary: flag,
  created_at: time,
  updated_at: time,
  undeliverable_count: { type: 'integer', minimum: 0 },
  deliverable_state: { type: 'string', enum: ['deliverable'] },
});

const organization = shape<ZendeskOrganization>('An organization (Zendesk Support API v2)', {
  url,
  id,
  name: text,
  shared_tickets: flag,
  shared_comments: flag,
  external_id: textOrNull,
  created_at: time,
  updated_at: time,
  domain_names: textList,
  details: textOrNull,
  notes: textOrNull,
  group_id: idOrNull,
  tags: textList,
  organization_fields: noCustomFields,
});

const group = shape<ZendeskGroup>('A group of agents', {
  url,
  id,
  name: text,
  description: text,
  default: { type: 'boolean', description: 'The group new agents join' },
  is_public: flag,
  confidential: {
    type: 'boolean',
    description: "Steward's own: only the group's members see its tickets",
  },
  deleted: flag,
  created_at: time,
  updated_at: time,
});

const groupMembership = shape<ZendeskGroupMembership>('An agent in a group', {
  url,
  id,
  user_id: id,
  group_id: id,
  default: { type: 'boolean', description: "The agent's default group" },
  created_at: time,
  updated_at: time,
});

const auditLog = shape<ZendeskAuditLog>("An entry of Steward's hash-chained audit log", {
  url,
  id,
  actor_id: idOrNull,
  actor_type: { type: 'string', enum: [...AUDIT_ACTOR_TYPES] },
  action: { type: 'string', example: 'user.created', description: "Steward's dotted action" },
  action_label: text,
  source_id: idOrNull,
  source_type: textOrNull,
  source_label: text,
  change_description: { type: 'string', description: 'The entry details as JSON, or empty' },
  ip_address: textOrNull,
  created_at: time,
});

const auditLogList = shape<AuditLogListDto>('A page of the audit log, newest first (cursor)', {
  audit_logs: { type: 'array', items: ref('AuditLog') },
  meta: shape<AuditLogListDto['meta']>('Cursor pagination', {
    has_more: flag,
    after_cursor: { ...textOrNull, description: 'Pass as page[after] for the next page' },
    before_cursor: { type: 'string', nullable: true, enum: [null] },
  }),
  links: shape<AuditLogListDto['links']>('Cursor pagination links', {
    prev: { type: 'string', nullable: true, enum: [null] },
    next: { ...pageUrl, description: 'The next page, or null at the end' },
  }),
});

const session = shape<SessionResponseDto>(
  'A web session, opened by signing in; the session cookie is set with it',
  {
    session: shape<SessionResponseDto['session']>(
      'The session',
      {
        user_id: id,
        expires_at: { type: 'string', format: 'date-time' },
        must_change_password: {
          type: 'boolean',
          description: 'Only POST /api/v2/session/password is allowed until it is changed',
        },
        two_factor_required: {
          type: 'boolean',
          enum: [true],
          description: 'The session owes a second-factor code: POST /api/v2/session/two_factor',
        },
        two_factor_enrolment_required: {
          type: 'boolean',
          enum: [true],
          description: 'Two-factor is required and the user must enrol first',
        },
      },
      ['two_factor_required', 'two_factor_enrolment_required'],
    ),
    csrf_token: {
      type: 'string',
      description:
        'Send it in X-CSRF-Token with every POST, PUT, PATCH and DELETE made with the cookie',
    },
  },
);

const reauthentication = shape<ReauthenticationResponseDto>(
  'The session proved its password (and second factor) again',
  {
    session: shape<ReauthenticationResponseDto['session']>('The session', {
      user_id: id,
      authenticated_at: time,
      reauthentication_expires_at: {
        ...time,
        description: 'Sensitive actions are allowed until then (STEWARD_REAUTH_WINDOW)',
      },
    }),
  },
);

const twoFactorStatus = shape<TwoFactorStatusDto>("The signed-in user's second factor", {
  two_factor: shape<TwoFactorStatusDto['two_factor']>('Two-factor status', {
    enabled: flag,
    enabled_at: { ...time, nullable: true },
    pending: { type: 'boolean', description: 'An enrolment awaits its first code' },
    recovery_codes_left: { type: 'integer', minimum: 0 },
    required: { type: 'boolean', description: 'STEWARD_TWO_FACTOR_REQUIRED applies to the user' },
  }),
});

const recoveryCodes: SchemaObject = {
  type: 'array',
  items: text,
  description: 'Shown once; each works once. Store them somewhere safe.',
};

const twoFactorEnrolment = shape<TwoFactorEnrolmentDto>('A new TOTP secret, shown once', {
  two_factor: shape<TwoFactorEnrolmentDto['two_factor']>('The secret to enrol', {
    pending: { type: 'boolean', enum: [true] },
    secret: { type: 'string', description: 'Base32, for an authenticator app' },
    otpauth_uri: { type: 'string', description: 'The same as an otpauth:// URI (for a QR code)' },
  }),
});

const recoveryCodeList = shape<RecoveryCodesDto>('New recovery codes', {
  recovery_codes: recoveryCodes,
});

const grantable: SchemaObject = {
  type: 'array',
  items: { type: 'string', enum: [...AGENT_GRANTABLE_PERMISSIONS] },
  description: 'Permissions an agent with this role has (only agent-grantable ones)',
};

const customRole = shape<ZendeskCustomRole>('A custom agent role: a named set of permissions', {
  id,
  url,
  name: text,
  description: textOrNull,
  role_type: { type: 'integer', enum: [0] },
  permissions: grantable,
  team_member_count: { type: 'integer', minimum: 0, description: 'How many users hold it' },
  created_at: time,
  updated_at: time,
});

const customRoleList = shape<CustomRoleListDto>('Every custom role (no pages)', {
  custom_roles: { type: 'array', items: ref('CustomRole') },
  next_page: { type: 'string', nullable: true, enum: [null] },
  previous_page: { type: 'string', nullable: true, enum: [null] },
  count: { type: 'integer', minimum: 0 },
});

const breakGlassGrant = shape<ZendeskBreakGlassGrant>(
  "An administrator's audited, time-limited access to a confidential group's content",
  {
    url,
    id,
    user_id: { ...id, description: 'The administrator' },
    group_id: { ...id, description: 'The confidential group' },
    reason: { type: 'string', description: 'Why access was needed (10–1000 characters)' },
    active: { type: 'boolean', description: 'Neither ended nor expired' },
    created_at: time,
    expires_at: time,
    ended_at: { ...time, nullable: true },
  },
);

const emptyList: SchemaObject = {
  type: 'array',
  maxItems: 0,
  items: {},
  description: 'Always empty: not in Steward yet',
};
const idList: SchemaObject = { type: 'array', items: id };
const customFieldValues: SchemaObject = {
  type: 'array',
  description:
    'Every active custom ticket field with its value: null when unset, false for an unchecked checkbox, a list for a multi-select',
  items: {
    type: 'object',
    properties: { id, value: { nullable: true, description: 'By the field’s type' } },
    required: ['id', 'value'],
  },
};
const customFieldInput: SchemaObject = {
  type: 'array',
  description: 'Values of custom ticket fields, `[{"id": 1, "value": …}]`; null clears one',
  items: {
    type: 'object',
    properties: { id, value: { nullable: true } },
    required: ['id'],
  },
};
const via: SchemaObject = {
  type: 'object',
  properties: { channel: { type: 'string', enum: [...VIA_CHANNELS] } },
  required: ['channel'],
};

const ticket = shape<ZendeskTicket>('A ticket (Zendesk Support API v2)', {
  url,
  id,
  external_id: textOrNull,
  via: {
    ...via,
    properties: {
      ...via.properties,
      source: { type: 'object', description: 'Always {from: {}, to: {}, rel: null} for now' },
    },
  },
  created_at: time,
  updated_at: time,
  type: { type: 'string', enum: [...TICKET_TYPES], nullable: true },
  subject: text,
  raw_subject: text,
  description: { type: 'string', description: 'The text of the first comment' },
  priority: { type: 'string', enum: [...TICKET_PRIORITIES], nullable: true },
  status: { type: 'string', enum: [...TICKET_STATUSES] },
  recipient: { type: 'string', nullable: true, enum: [null] },
  requester_id: id,
  submitter_id: id,
  assignee_id: idOrNull,
  organization_id: idOrNull,
  group_id: idOrNull,
  collaborator_ids: { ...idList, description: 'Users copied on public replies' },
  follower_ids: { ...idList, description: 'Agents following the ticket' },
  email_cc_ids: { ...idList, description: 'The same as collaborator_ids' },
  problem_id: { ...idOrNull, description: "An incident's problem ticket" },
  has_incidents: flag,
  is_public: { type: 'boolean', description: 'False while the ticket has only internal notes' },
  due_at: { ...time, nullable: true, description: "A task's due date" },
  tags: textList,
  custom_fields: customFieldValues,
  fields: { ...customFieldValues, description: 'The same as custom_fields' },
  satisfaction_rating: { type: 'object', nullable: true, enum: [null] },
  sharing_agreement_ids: emptyList,
  followup_ids: emptyList,
  brand_id: { type: 'integer', nullable: true, enum: [null] },
  allow_channelback: flag,
  allow_attachments: flag,
});

const exportedTicket = shape<ZendeskExportedTicket>(
  'A ticket in an incremental export: a ticket, and deleted tickets with status "deleted"',
  {
    ...(ticket.properties as { [K in keyof ZendeskTicket]-?: Schema }),
    status: { type: 'string', enum: [...TICKET_STATUSES, 'deleted'] },
    generated_timestamp: {
      type: 'integer',
      minimum: 0,
      description: 'When the ticket last changed, in Unix seconds',
    },
  },
);

const exportPageEnd: SchemaObject = {
  type: 'boolean',
  description: 'True when no more tickets have changed, for now: ask again later',
};

const incrementalCursorPage = shape<IncrementalCursorPageDto>(
  'A page of the cursor-based incremental ticket export',
  {
    tickets: { type: 'array', items: ref('IncrementalTicket') },
    after_url: {
      type: 'string',
      format: 'uri',
      description: 'The next page; at the end of the stream, where to ask again later',
    },
    after_cursor: { type: 'string', description: 'Opaque: where the next page starts' },
    before_url: { type: 'string', nullable: true, enum: [null] },
    before_cursor: { type: 'string', nullable: true, enum: [null] },
    end_of_stream: exportPageEnd,
  },
);

const incrementalTimePage = shape<IncrementalTimePageDto>(
  'A page of the time-based incremental ticket export',
  {
    tickets: { type: 'array', items: ref('IncrementalTicket') },
    next_page: {
      type: 'string',
      format: 'uri',
      description: 'The next page (start_time=end_time); at the end, where to ask again later',
    },
    end_time: { type: 'integer', minimum: 0, description: "The next page's start_time" },
    count: { type: 'integer', minimum: 0, description: 'How many tickets this page has' },
    end_of_stream: exportPageEnd,
  },
);

const comment = shape<ZendeskComment>('A public reply or an internal note; never changed', {
  id,
  type: { type: 'string', enum: ['Comment'] },
  author_id: id,
  body: { type: 'string', description: 'The text' },
  html_body: { type: 'string', description: 'The HTML, sanitised before it was stored' },
  plain_body: text,
  public: { type: 'boolean', description: 'False for an internal note' },
  attachments: { type: 'array', items: ref('Attachment') },
  via,
  created_at: time,
  metadata: { type: 'object' },
});

const auditEvent = shape<ZendeskAuditEvent>(
  'One event of a ticket audit: a field set (Create) or changed (Change), or a comment',
  {
    id,
    type: {
      type: 'string',
      enum: [
        'Create',
        'Change',
        'Comment',
        'CommentRedactionEvent',
        'AttachmentRedactionEvent',
        'CommentPrivacyChange',
      ],
    },
    field_name: text,
    value: { description: 'The new value' },
    previous_value: { description: 'The value before (Change only)' },
    comment_id: id,
    attachment_id: { ...id, description: 'AttachmentRedactionEvent: the file replaced' },
    public: { type: 'boolean', description: 'CommentPrivacyChange: always false' },
  },
  ['field_name', 'value', 'previous_value', 'comment_id', 'attachment_id', 'public'],
);

const ticketAudit = shape<ZendeskTicketAudit>('One change to a ticket, with its events', {
  id,
  ticket_id: id,
  created_at: time,
  author_id: { ...idOrNull, description: 'Null when Steward itself made the change' },
  via,
  metadata: { type: 'object' },
  events: { type: 'array', items: auditEvent },
});

const ticketRequest = envelope(
  'ticket',
  input('A ticket; other Zendesk fields are accepted and ignored', {
    subject: text,
    comment: {
      type: 'object',
      description: 'Required on create: the first comment (or send `description`)',
      properties: {
        body: text,
        html_body: text,
        public: flag,
        author_id: id,
        uploads: { ...textList, description: 'Upload tokens of yours whose files it attaches' },
      },
    },
    description: { type: 'string', description: 'On create, the first comment if none is given' },
    requester_id: id,
    requester: {
      type: 'object',
      description: 'Found by email, or created as an end-user',
      properties: { name: text, email: { type: 'string', format: 'email' } },
      required: ['email'],
    },
    submitter_id: id,
    assignee_id: idOrNull,
    group_id: idOrNull,
    organization_id: idOrNull,
    status: { type: 'string', enum: [...TICKET_STATUSES] },
    priority: { type: 'string', enum: [...TICKET_PRIORITIES], nullable: true },
    type: { type: 'string', enum: [...TICKET_TYPES], nullable: true },
    tags: textList,
    additional_tags: textList,
    remove_tags: textList,
    collaborator_ids: idList,
    follower_ids: idList,
    external_id: textOrNull,
    due_at: { ...time, nullable: true },
    problem_id: idOrNull,
    custom_fields: customFieldInput,
    fields: { ...customFieldInput, description: 'The same as custom_fields' },
    safe_update: { type: 'boolean', description: 'Refuse (409) if changed since updated_stamp' },
    updated_stamp: time,
  }),
  '`{"ticket": {...}}`',
);

const attachment = shape<ZendeskAttachment>('A file attached to a comment, or uploaded for one', {
  url,
  id,
  file_name: { type: 'string', description: 'For display: cleaned of paths and controls' },
  content_url: { type: 'string', format: 'uri', description: 'Download the file here' },
  mapped_content_url: { type: 'string', format: 'uri' },
  content_type: { type: 'string', description: 'Sniffed from the bytes, not the client’s' },
  size: { type: 'integer', minimum: 1, description: 'Bytes' },
  width: { type: 'integer', nullable: true },
  height: { type: 'integer', nullable: true },
  inline: flag,
  deleted: flag,
  thumbnails: emptyList,
});

const upload = shape<UploadResponseDto>('`{"upload": {...}}`', {
  upload: shape<ZendeskUpload>('Files waiting to be attached by their token', {
    token: { type: 'string', description: 'Send it in comment.uploads; shown only here' },
    expires_at: { ...time, description: 'Deleted then unless a comment took it' },
    attachments: { type: 'array', items: ref('Attachment') },
    attachment: ref('Attachment'),
  }),
});

const request = shape<ZendeskRequest>(
  'A request: a ticket as its requester sees it (Zendesk Requests API); public comments only',
  {
    url,
    id,
    subject: text,
    description: { type: 'string', description: 'The text of the first public comment' },
    status: { type: 'string', enum: [...TICKET_STATUSES] },
    priority: { type: 'string', enum: [...TICKET_PRIORITIES], nullable: true },
    type: { type: 'string', enum: [...TICKET_TYPES], nullable: true },
    requester_id: id,
    organization_id: idOrNull,
    assignee_id: idOrNull,
    group_id: idOrNull,
    via,
    created_at: time,
    updated_at: time,
    due_at: { ...time, nullable: true },
    collaborator_ids: { ...idList, description: "The people CC'd" },
    email_cc_ids: { ...idList, description: 'The same as collaborator_ids' },
    is_public: flag,
    can_be_solved_by_me: {
      type: 'boolean',
      description: 'The caller is the requester, an agent is assigned, and it is not solved yet',
    },
    solved: { type: 'boolean', description: 'Solved or closed' },
    recipient: { type: 'string', nullable: true, enum: [null] },
    followup_source_id: { type: 'integer', nullable: true, enum: [null] },
    custom_fields: {
      ...customFieldValues,
      description: 'The custom fields visible in the help center, with their values',
    },
  },
);

const customFieldOption = shape<ZendeskCustomFieldOption>(
  'A choice of a drop-down or multi-select',
  {
    id,
    name: text,
    raw_name: text,
    value: { type: 'string', description: 'A tag, put on the ticket when chosen' },
    position: { type: 'integer', minimum: 0 },
  },
);

const ticketField = shape<ZendeskTicketField>('A custom ticket field (Zendesk Support API v2)', {
  url,
  id,
  type: { type: 'string', enum: [...TICKET_FIELD_TYPES] },
  title: text,
  raw_title: text,
  description: text,
  raw_description: text,
  position: { type: 'integer', minimum: 0 },
  active: flag,
  required: { type: 'boolean', description: 'Agents must fill it in to solve the ticket' },
  collapsed_for_agents: { type: 'boolean', enum: [false] },
  regexp_for_validation: { ...textOrNull, description: 'A regexp field’s pattern' },
  title_in_portal: text,
  raw_title_in_portal: text,
  visible_in_portal: flag,
  editable_in_portal: flag,
  required_in_portal: { type: 'boolean', description: 'Requesters must fill it in (if editable)' },
  tag: { ...textOrNull, description: 'The tag a checked checkbox puts on its ticket' },
  removable: { type: 'boolean', enum: [true] },
  custom_field_options: { type: 'array', items: customFieldOption },
  created_at: time,
  updated_at: time,
});

const ticketFieldList = shape<TicketFieldListDto>('Every ticket field, in one page', {
  ticket_fields: { type: 'array', items: ref('TicketField') },
  next_page: { type: 'string', nullable: true, enum: [null] },
  previous_page: { type: 'string', nullable: true, enum: [null] },
  count: { type: 'integer', minimum: 0 },
});

const requestComment = shape<ZendeskRequestComment>('A public comment of a request', {
  id,
  type: { type: 'string', enum: ['Comment'] },
  request_id: id,
  author_id: id,
  body: text,
  html_body: { type: 'string', description: 'The HTML, sanitised before it was stored' },
  plain_body: text,
  public: { type: 'boolean', enum: [true] },
  attachments: { type: 'array', items: ref('Attachment') },
  created_at: time,
});

const requestCommentInput: SchemaObject = {
  type: 'object',
  description: 'A public comment (a requester cannot write internal notes)',
  properties: {
    body: text,
    html_body: text,
    uploads: {
      type: 'array',
      items: { type: 'string' },
      description: 'Tokens of your uploads (POST /api/v2/uploads) whose files the comment takes',
    },
  },
};

const viewCondition: SchemaObject = {
  type: 'object',
  properties: {
    field: { type: 'string', enum: [...VIEW_CONDITION_FIELDS] },
    operator: {
      type: 'string',
      enum: ['is', 'is_not', 'less_than', 'greater_than', 'includes', 'not_includes'],
    },
    value: {
      oneOf: [text, { type: 'integer' }],
      nullable: true,
      description:
        'A status, priority, type, id, current_user, current_groups, tags (space-separated), hours, or null',
    },
  },
  required: ['field', 'operator', 'value'],
};
const viewConditions: SchemaObject = {
  type: 'object',
  description: 'Every condition of `all`, and at least one of `any` when it has any',
  properties: {
    all: { type: 'array', items: viewCondition },
    any: { type: 'array', items: viewCondition },
  },
};
const viewColumn = shape<ZendeskViewColumn>('A column of a view', {
  id: { type: 'string', enum: Object.keys(VIEW_COLUMNS) },
  title: text,
});
const viewSort: SchemaObject = { type: 'string', enum: Object.keys(TICKET_SORTS) };
const viewOrder: SchemaObject = { type: 'string', enum: ['asc', 'desc'] };
const viewRestriction: SchemaObject = {
  type: 'object',
  nullable: true,
  description: 'Null: shared; User: personal; Group: for its members',
  properties: { type: { type: 'string', enum: [...VIEW_RESTRICTIONS] }, id },
  required: ['type', 'id'],
};

const view = shape<ZendeskView>('A view: a saved ticket filter (Zendesk Support API v2)', {
  url,
  id,
  title: text,
  raw_title: text,
  description: textOrNull,
  active: flag,
  position: { type: 'integer', minimum: 0 },
  default: { type: 'boolean', description: 'One of the views Steward installs' },
  restriction: viewRestriction,
  conditions: viewConditions,
  execution: shape<ZendeskView['execution']>('How the view shows its tickets', {
    columns: { type: 'array', items: viewColumn },
    fields: { type: 'array', items: viewColumn },
    custom_fields: emptyList,
    sort_by: viewSort,
    sort_order: viewOrder,
    group_by: { ...viewSort, nullable: true },
    group_order: viewOrder,
  }),
  created_at: time,
  updated_at: time,
});

const viewRow = shape<ZendeskViewRow>(
  "One row of a view: the ticket and the value of each of the view's columns",
  {
    ticket_id: id,
    ticket: {
      type: 'object',
      properties: {
        id,
        url,
        subject: text,
        status: text,
        priority: textOrNull,
        type: textOrNull,
      },
    },
    subject: text,
    status: text,
    priority: textOrNull,
    type: textOrNull,
    requester_id: id,
    assignee_id: idOrNull,
    group_id: idOrNull,
    organization_id: idOrNull,
    created: time,
    updated: time,
  },
  [
    'subject',
    'status',
    'priority',
    'type',
    'requester_id',
    'assignee_id',
    'group_id',
    'organization_id',
    'created',
    'updated',
  ],
);

const viewCount = shape<ZendeskViewCount>("A view's count, counted when asked", {
  view_id: id,
  url,
  value: { type: 'integer', minimum: 0 },
  pretty: { type: 'string', example: '1,204' },
  fresh: { type: 'boolean', description: 'Always true: Steward counts on every request' },
});

const error = shape<ErrorBody>(
  'An error, in the Zendesk shape',
  {
    error: { type: 'string', example: 'RecordInvalid' },
    description: { type: 'string', example: 'Record validation errors' },
    details: {
      type: 'object',
      description: 'Problems by field',
      additionalProperties: {
        type: 'array',
        items: { type: 'object', properties: { description: text }, required: ['description'] },
      },
      example: { email: [{ description: 'is already taken' }] },
    },
    request_id: {
      type: 'string',
      description: 'Only on 500: quote it when reporting the problem',
    },
  },
  ['description', 'details', 'request_id'],
);

/** The name of a schema in `components.schemas`. */
const jobResult = shape<ZendeskJobResult>(
  'What became of one item of a job',
  {
    id: { ...id, description: 'The ticket the item created or changed' },
    index: { type: 'integer', minimum: 0, description: "The item's position in the request" },
    action: { type: 'string', enum: ['create', 'update', 'delete', 'merge'] },
    success: flag,
    status: { type: 'string', example: 'Created' },
    errors: { type: 'string', description: 'On failure: the error', example: 'RecordInvalid' },
    details: { type: 'string', description: 'On failure: what was wrong' },
  },
  ['id', 'errors', 'details'],
);

const jobStatus = shape<ZendeskJobStatus>('The progress and results of bulk work', {
  id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
  url,
  job_type: { type: 'string', example: 'tickets.create_many' },
  total: { type: 'integer', minimum: 0 },
  progress: { type: 'integer', minimum: 0, description: 'Items done so far' },
  status: { type: 'string', enum: ['queued', 'working', 'completed', 'failed', 'killed'] },
  message: { type: 'string', nullable: true },
  results: { type: 'array', items: ref('JobResult') },
});

const bulkTicket = (ticketRequest.properties as Record<string, Schema>).ticket;

export type SchemaName =
  | 'User'
  | 'UserResponse'
  | 'UserList'
  | 'UserRequest'
  | 'UserIdentity'
  | 'UserIdentityResponse'
  | 'UserIdentityList'
  | 'UserIdentityRequest'
  | 'Organization'
  | 'OrganizationResponse'
  | 'OrganizationList'
  | 'OrganizationRequest'
  | 'Group'
  | 'GroupResponse'
  | 'GroupList'
  | 'GroupRequest'
  | 'GroupMembership'
  | 'GroupMembershipResponse'
  | 'GroupMembershipList'
  | 'GroupMembershipRequest'
  | 'AuditLog'
  | 'AuditLogResponse'
  | 'AuditLogList'
  | 'Session'
  | 'SignInRequest'
  | 'PasswordChangeRequest'
  | 'PasswordResetRequest'
  | 'PasswordResetConfirmRequest'
  | 'OpenApiDocument'
  | 'Reauthentication'
  | 'ReauthenticationRequest'
  | 'TwoFactorCodeRequest'
  | 'TwoFactorStatus'
  | 'TwoFactorEnrolment'
  | 'TwoFactorConfirmed'
  | 'RecoveryCodes'
  | 'CustomRole'
  | 'CustomRoleResponse'
  | 'CustomRoleList'
  | 'CustomRoleRequest'
  | 'BreakGlassGrant'
  | 'BreakGlassGrantResponse'
  | 'BreakGlassGrantList'
  | 'BreakGlassRequest'
  | 'Ticket'
  | 'TicketResponse'
  | 'TicketList'
  | 'TicketCursorList'
  | 'TicketShowMany'
  | 'TicketRequest'
  | 'TicketComment'
  | 'TicketCommentList'
  | 'TicketAudit'
  | 'TicketAuditList'
  | 'TicketCommentResponse'
  | 'CommentRedactionRequest'
  | 'MarkedRedactionRequest'
  | 'TicketRelatedResponse'
  | 'TagList'
  | 'TagNames'
  | 'TagChangeRequest'
  | 'IncrementalTicket'
  | 'IncrementalTicketCursorPage'
  | 'IncrementalTicketTimePage'
  | 'Attachment'
  | 'AttachmentResponse'
  | 'UploadResponse'
  | 'Request'
  | 'RequestResponse'
  | 'RequestList'
  | 'RequestCreateRequest'
  | 'RequestUpdateRequest'
  | 'RequestComment'
  | 'RequestCommentList'
  | 'TicketField'
  | 'TicketFieldResponse'
  | 'TicketFieldList'
  | 'TicketFieldRequest'
  | 'View'
  | 'ViewResponse'
  | 'ViewList'
  | 'ViewRequest'
  | 'ViewExecute'
  | 'ViewCountResponse'
  | 'ViewCountMany'
  | 'SearchResult'
  | 'SearchResults'
  | 'SearchCount'
  | 'JobResult'
  | 'JobStatus'
  | 'JobStatusResponse'
  | 'JobStatusList'
  | 'TicketCreateManyRequest'
  | 'TicketUpdateManyRequest'
  | 'TicketMergeRequest'
  | 'Error';

/** Every schema of `components.schemas`, by name. */
export const SCHEMAS: Record<SchemaName, SchemaObject> = {
  User: user,
  UserResponse: envelope('user', ref('User'), '`{"user": {...}}`'),
  UserList: list('users', ref('User'), 'A page of users'),
  UserRequest: envelope(
    'user',
    input('A user; other Zendesk fields are accepted and ignored', {
      name: text,
      email: { type: 'string', format: 'email' },
      role: { type: 'string', enum: [...USER_ROLES] },
      role_type: { type: 'integer', nullable: true },
      custom_role_id: idOrNull,
      external_id: { oneOf: [text, { type: 'integer' }], nullable: true },
      phone: textOrNull,
      locale: { type: 'string', example: 'en-US' },
      time_zone: { type: 'string', description: 'An IANA time zone', example: 'Europe/Berlin' },
    }),
    '`{"user": {...}}`',
  ),
  UserIdentity: userIdentity,
  UserIdentityResponse: envelope('identity', ref('UserIdentity'), '`{"identity": {...}}`'),
  UserIdentityList: list('identities', ref('UserIdentity'), "A user's identities (one page)"),
  UserIdentityRequest: envelope(
    'identity',
    input('An identity', {
      type: { type: 'string', enum: [...USER_IDENTITY_TYPES] },
      value: { type: 'string', format: 'email' },
      verified: flag,
      primary: flag,
    }),
    '`{"identity": {...}}`',
  ),
  Organization: organization,
  OrganizationResponse: envelope('organization', ref('Organization'), '`{"organization": {...}}`'),
  OrganizationList: list('organizations', ref('Organization'), 'A page of organizations'),
  OrganizationRequest: envelope(
    'organization',
    input('An organization; unknown fields are ignored', {
      name: text,
      details: textOrNull,
      notes: textOrNull,
      external_id: textOrNull,
      shared_tickets: flag,
      shared_comments: flag,
      domain_names: { ...textList, nullable: true },
    }),
    '`{"organization": {...}}`',
  ),
  Group: group,
  GroupResponse: envelope('group', ref('Group'), '`{"group": {...}}`'),
  GroupList: list('groups', ref('Group'), 'A page of groups'),
  GroupRequest: envelope(
    'group',
    input('A group; unknown fields are ignored', {
      name: text,
      description: textOrNull,
      default: flag,
      is_public: flag,
      confidential: flag,
    }),
    '`{"group": {...}}`',
  ),
  GroupMembership: groupMembership,
  GroupMembershipResponse: envelope(
    'group_membership',
    ref('GroupMembership'),
    '`{"group_membership": {...}}`',
  ),
  GroupMembershipList: list(
    'group_memberships',
    ref('GroupMembership'),
    'A page of group memberships',
  ),
  GroupMembershipRequest: envelope(
    'group_membership',
    {
      type: 'object',
      properties: { user_id: id, group_id: id, default: flag },
      required: ['user_id', 'group_id'],
    },
    '`{"group_membership": {...}}`',
  ),
  AuditLog: auditLog,
  AuditLogResponse: envelope('audit_log', ref('AuditLog'), '`{"audit_log": {...}}`'),
  AuditLogList: auditLogList,
  Session: session,
  SignInRequest: {
    type: 'object',
    properties: { email: { type: 'string', format: 'email' }, password: text },
    required: ['email', 'password'],
  },
  PasswordChangeRequest: {
    type: 'object',
    properties: { current_password: text, password: text },
    required: ['current_password', 'password'],
  },
  PasswordResetRequest: {
    type: 'object',
    properties: { email: { type: 'string', format: 'email' } },
    required: ['email'],
  },
  PasswordResetConfirmRequest: {
    type: 'object',
    properties: { token: text, password: text },
    required: ['token', 'password'],
  },
  OpenApiDocument: {
    type: 'object',
    description: 'An OpenAPI 3 document',
    properties: { openapi: text, info: { type: 'object' }, paths: { type: 'object' } },
    required: ['openapi', 'info', 'paths'],
  },
  Reauthentication: reauthentication,
  ReauthenticationRequest: {
    type: 'object',
    properties: {
      password: text,
      code: { type: 'string', description: 'A TOTP or recovery code, when two-factor is on' },
    },
    required: ['password'],
  },
  TwoFactorCodeRequest: {
    type: 'object',
    properties: { code: { type: 'string', description: 'A TOTP code or a recovery code' } },
    required: ['code'],
  },
  TwoFactorStatus: twoFactorStatus,
  TwoFactorEnrolment: twoFactorEnrolment,
  TwoFactorConfirmed: {
    allOf: [
      ref('TwoFactorStatus'),
      {
        type: 'object',
        properties: {
          recovery_codes: recoveryCodes,
          session: { description: 'When an enrolment-only session became a full one' },
          csrf_token: text,
        },
        required: ['recovery_codes'],
      },
    ],
  },
  RecoveryCodes: recoveryCodeList,
  CustomRole: customRole,
  CustomRoleResponse: envelope('custom_role', ref('CustomRole'), '`{"custom_role": {...}}`'),
  CustomRoleList: customRoleList,
  CustomRoleRequest: envelope(
    'custom_role',
    input('A custom role', { name: text, description: textOrNull, permissions: grantable }),
    '`{"custom_role": {...}}`',
  ),
  BreakGlassGrant: breakGlassGrant,
  BreakGlassGrantResponse: envelope(
    'break_glass_grant',
    ref('BreakGlassGrant'),
    '`{"break_glass_grant": {...}}`',
  ),
  BreakGlassGrantList: list('break_glass_grants', ref('BreakGlassGrant'), 'A page of grants'),
  BreakGlassRequest: {
    type: 'object',
    properties: { reason: { type: 'string', minLength: 10, maxLength: 1000 } },
    required: ['reason'],
  },
  Ticket: ticket,
  TicketResponse: envelope('ticket', ref('Ticket'), '`{"ticket": {...}}`'),
  TicketList: list('tickets', ref('Ticket'), 'A page of tickets'),
  TicketCursorList: {
    type: 'object',
    description: 'A page of tickets by cursor (`page[size]`, `page[after]`, `page[before]`)',
    properties: {
      tickets: { type: 'array', items: ref('Ticket') },
      meta: shape<CursorLinks['meta']>('Where the page ends', {
        has_more: { ...flag, description: 'More tickets follow in the direction of travel' },
        after_cursor: { ...textOrNull, description: 'For `page[after]`: the page after this' },
        before_cursor: { ...textOrNull, description: 'For `page[before]`: the page before this' },
      }),
      links: shape<CursorLinks['links']>('The next and previous pages', {
        next: { type: 'string', format: 'uri', nullable: true },
        prev: { type: 'string', format: 'uri', nullable: true },
      }),
    },
    required: ['tickets', 'meta', 'links'],
  },
  TicketShowMany: {
    type: 'object',
    description: 'The tickets of the ids the caller may see',
    properties: { tickets: { type: 'array', items: ref('Ticket') } },
    required: ['tickets'],
  },
  TicketRequest: ticketRequest,
  TicketCreateManyRequest: {
    type: 'object',
    description: '`{"tickets": [...]}`: up to 100 tickets',
    properties: { tickets: { type: 'array', items: bulkTicket, minItems: 1, maxItems: 100 } },
    required: ['tickets'],
  },
  TicketUpdateManyRequest: {
    type: 'object',
    description:
      '`{"ticket": {...}}` with `?ids=`, or `{"tickets": [{"id": 1, ...}, ...]}` (up to 100)',
    properties: {
      ticket: bulkTicket,
      tickets: {
        type: 'array',
        items: { allOf: [bulkTicket, { type: 'object', properties: { id }, required: ['id'] }] },
        minItems: 1,
        maxItems: 100,
      },
    },
  },
  TicketMergeRequest: {
    type: 'object',
    description: 'The tickets to merge into this one, and the comments both sides get',
    properties: {
      ids: { type: 'array', items: id, minItems: 1, maxItems: 5 },
      target_comment: text,
      source_comment: text,
      target_comment_is_public: flag,
      source_comment_is_public: flag,
    },
    required: ['ids'],
  },
  JobResult: jobResult,
  JobStatus: jobStatus,
  JobStatusResponse: envelope('job_status', ref('JobStatus'), '`{"job_status": {...}}`'),
  JobStatusList: {
    type: 'object',
    description: 'Job statuses',
    properties: { job_statuses: { type: 'array', items: ref('JobStatus') } },
    required: ['job_statuses'],
  },
  TicketComment: comment,
  TicketCommentList: list('comments', ref('TicketComment'), "A page of a ticket's comments"),
  TicketAudit: ticketAudit,
  TicketAuditList: list('audits', ref('TicketAudit'), "A page of a ticket's audits, oldest first"),
  TicketCommentResponse: shape<CommentResponseDto>('`{"comment": {...}}`', {
    comment: ref('TicketComment'),
  }),
  CommentRedactionRequest: {
    type: 'object',
    description: 'The string to redact: every occurrence in the comment, matched exactly',
    properties: { text: { type: 'string', minLength: 1, example: 'hunter2' } },
    required: ['text'],
  },
  MarkedRedactionRequest: {
    type: 'object',
    description: "Zendesk's comment redaction: the comment's HTML with <redact> marks",
    properties: {
      ticket_id: id,
      html_body: {
        type: 'string',
        example: '<p>My password is <redact>hunter2</redact></p>',
      },
      external_attachment_urls: {
        ...textList,
        description: 'Accepted only empty: Steward has no external files',
      },
    },
    required: ['ticket_id', 'html_body'],
  },
  TicketRelatedResponse: envelope(
    'ticket_related',
    shape<ZendeskTicketRelated>(
      "What a ticket is linked to; Steward has only problems' incidents",
      {
        topic_id: { type: 'integer', nullable: true, description: 'Always null' },
        jira_issue_ids: { type: 'array', items: id, description: 'Always empty' },
        followup_source_ids: { type: 'array', items: id, description: 'Always empty' },
        from_archive: { type: 'boolean', description: 'Always false' },
        incidents: {
          type: 'integer',
          minimum: 0,
          description: "How many of the problem's incidents the caller may see",
        },
      },
    ),
    '`{"ticket_related": {...}}`',
  ),
  TagList: shape<TagListDto>('A page of tags, most used first', {
    tags: {
      type: 'array',
      items: shape<ZendeskTagCount>('A tag and how many tickets the caller may see carry it', {
        name: text,
        count: { type: 'integer', minimum: 1 },
      }),
    },
    ...pageLinks,
  }),
  TagNames: shape<TagNamesDto>('Tag names', { tags: textList }),
  TagChangeRequest: {
    type: 'object',
    description:
      'Tags to set, add or remove; safe_update refuses a change to a ticket changed since updated_stamp',
    properties: {
      tags: textList,
      safe_update: flag,
      updated_stamp: time,
    },
    required: ['tags'],
  },
  IncrementalTicket: exportedTicket,
  IncrementalTicketCursorPage: incrementalCursorPage,
  IncrementalTicketTimePage: incrementalTimePage,
  Attachment: attachment,
  AttachmentResponse: envelope('attachment', ref('Attachment'), '`{"attachment": {...}}`'),
  UploadResponse: upload,
  Request: request,
  RequestResponse: envelope('request', ref('Request'), '`{"request": {...}}`'),
  RequestList: list('requests', ref('Request'), "A page of the caller's requests"),
  RequestCreateRequest: envelope(
    'request',
    input('A new request; the requester is the caller; other fields are ignored', {
      subject: text,
      comment: { ...requestCommentInput, description: 'Required: the first comment' },
      description: { type: 'string', description: 'The first comment if none is given' },
      custom_fields: {
        ...customFieldInput,
        description: 'Values of the fields editable in the help center',
      },
    }),
    '`{"request": {...}}`',
  ),
  RequestUpdateRequest: envelope(
    'request',
    input('A comment, and/or solving the request', {
      comment: requestCommentInput,
      solved: { type: 'boolean', description: 'true solves it, when can_be_solved_by_me' },
    }),
    '`{"request": {...}}`',
  ),
  RequestComment: requestComment,
  RequestCommentList: list('comments', ref('RequestComment'), "A page of a request's comments"),
  TicketField: ticketField,
  TicketFieldResponse: envelope('ticket_field', ref('TicketField'), '`{"ticket_field": {...}}`'),
  TicketFieldList: ticketFieldList,
  TicketFieldRequest: envelope(
    'ticket_field',
    input('A ticket field; on update the type must stay as it is', {
      type: { type: 'string', enum: [...TICKET_FIELD_TYPES] },
      title: text,
      description: textOrNull,
      position: { type: 'integer', minimum: 0 },
      active: flag,
      required: flag,
      required_in_portal: flag,
      visible_in_portal: flag,
      editable_in_portal: flag,
      regexp_for_validation: { ...textOrNull, description: 'Required for regexp fields' },
      tag: { ...textOrNull, description: 'For checkboxes' },
      custom_field_options: {
        type: 'array',
        description: 'Required for tagger and multiselect fields; replaces the options',
        items: {
          type: 'object',
          properties: { id, name: text, value: text, position: { type: 'integer' } },
          required: ['name', 'value'],
        },
      },
    }),
    '`{"ticket_field": {...}}`',
  ),
  View: view,
  ViewResponse: envelope('view', ref('View'), '`{"view": {...}}`'),
  ViewList: list('views', ref('View'), 'Every view the caller may use, in one page'),
  ViewRequest: envelope(
    'view',
    input("A view; Zendesk's `all`/`any` and `output` are accepted too", {
      title: text,
      description: textOrNull,
      active: flag,
      position: { type: 'integer', minimum: 0 },
      restriction: viewRestriction,
      conditions: viewConditions,
      execution: {
        type: 'object',
        properties: {
          columns: { type: 'array', items: { type: 'string', enum: Object.keys(VIEW_COLUMNS) } },
          sort_by: viewSort,
          sort_order: viewOrder,
          group_by: { ...viewSort, nullable: true },
          group_order: viewOrder,
        },
      },
    }),
    '`{"view": {...}}`',
  ),
  ViewExecute: {
    type: 'object',
    description: "A page of a view's rows",
    properties: {
      view: { type: 'object', properties: { id, url }, required: ['id', 'url'] },
      rows: { type: 'array', items: viewRow },
      columns: { type: 'array', items: viewColumn },
      groups: emptyList,
      ...pageLinks,
    },
    required: ['view', 'rows', 'columns', 'groups', ...Object.keys(pageLinks)],
  },
  ViewCountResponse: envelope('view_count', viewCount, '`{"view_count": {...}}`'),
  ViewCountMany: {
    type: 'object',
    description: 'The counts of the views the caller may use',
    properties: { view_counts: { type: 'array', items: viewCount } },
    required: ['view_counts'],
  },
  SearchResult: {
    description: 'A ticket or a user, as their own API shows them, with `result_type`',
    oneOf: [
      {
        allOf: [
          ref('Ticket'),
          {
            type: 'object',
            properties: { result_type: { type: 'string', enum: ['ticket'] } },
            required: ['result_type'],
          },
        ],
      },
      {
        allOf: [
          ref('User'),
          {
            type: 'object',
            properties: { result_type: { type: 'string', enum: ['user'] } },
            required: ['result_type'],
          },
        ],
      },
    ],
  },
  SearchResults: shape<SearchResultsDto>('A page of search results: tickets first, then users', {
    results: { type: 'array', items: ref('SearchResult') },
    facets: { type: 'object', nullable: true, description: 'Always null: no facets' },
    ...pageLinks,
  }),
  SearchCount: shape<SearchCountDto>('How many results a search has', {
    count: { type: 'integer', minimum: 0 },
  }),
  Error: error,
};

/** A reference to one of SCHEMAS; a name that does not exist fails to compile. */
export function ref(name: SchemaName): ReferenceObject {
  return { $ref: `#/components/schemas/${name}` };
}
