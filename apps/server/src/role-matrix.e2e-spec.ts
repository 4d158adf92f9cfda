import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ApiTokenService, UserService, type UserRole } from '@steward/identity';
import { TicketAttachmentEntity } from '@steward/tickets';
import { DataSource } from 'typeorm';
import { ANONYMOUS, type Body, type Caller, useApiHarness } from './testing/api-harness';

/**
 * Who may call what (ASVS V4.1, V4.2.1): one row per route (and per IDOR attempt), each with
 * the status every kind of caller gets. A route of `/api/v2` without a row, and not listed in
 * COVERED_ELSEWHERE, fails the file: adding a route means adding its row here.
 */

/** The callers: every role, an agent outside the confidential group, and nobody. */
const CALLERS = ['admin', 'agent', 'light', 'custom', 'endUser', 'outsider', 'anonymous'] as const;
type Who = (typeof CALLERS)[number];
type Expected = Readonly<Record<Who, number>>;

/**
 * What the fixture holds. `agent` is a member of the confidential group HR and of IT; `light`
 * and `outsider` are members of IT only; `custom` holds the custom role ORGANIZERS.
 */
interface Fixture {
  readonly users: Readonly<Record<Exclude<Who, 'anonymous'> | 'otherEndUser', number>>;
  readonly it: number;
  readonly hr: number;
  readonly hrMembership: number;
  readonly organization: number;
  readonly customRole: number;
  /** The other end user's primary identity. */
  readonly identity: number;
  readonly auditEntry: number;
  /** A ticket of IT, requested by the end user. */
  readonly itTicket: number;
  /** A ticket of the confidential group HR. */
  readonly hrTicket: number;
}

/** What a row's `prepare` made for one call (a record that the call consumes). */
type Made = Readonly<Record<string, number>>;

interface Row {
  /** `METHOD /path/:param` as registered, without `.json`. */
  readonly route: string;
  /** What the row shows, when more than the route. */
  readonly label?: string;
  readonly path: (f: Fixture, made: Made, who: Who) => string;
  readonly body?: (f: Fixture, made: Made, who: Who) => unknown;
  /** Makes a fresh record for each call, for calls that use one up (delete, change a role). */
  readonly prepare?: (f: Fixture) => Promise<Made>;
  readonly expected: Expected;
}

/** The custom role's permissions: organizations yes (which agents lack), users.write and groups no. */
const ORGANIZERS = ['users.me', 'users.read', 'organizations.read', 'organizations.manage'];

/**
 * Routes whose callers other spec files check, with the flows they need (a session and its
 * CSRF token, a second factor, a break-glass reason). `METHOD /path` without `.json`.
 */
const COVERED_ELSEWHERE = [
  // auth.e2e-spec.ts, two-factor.e2e-spec.ts, password-reset-throttle.e2e-spec.ts
  'POST /api/v2/session',
  'DELETE /api/v2/session',
  'POST /api/v2/session/two_factor',
  'POST /api/v2/session/reauthenticate',
  'POST /api/v2/session/password',
  'POST /api/v2/session/sign_out_everywhere',
  'POST /api/v2/session/password_reset',
  'POST /api/v2/session/password_reset/confirm',
  // two-factor.e2e-spec.ts
  'GET /api/v2/users/me/two_factor',
  'POST /api/v2/users/me/two_factor',
  'POST /api/v2/users/me/two_factor/confirm',
  'POST /api/v2/users/me/two_factor/recovery_codes',
  'DELETE /api/v2/users/me/two_factor',
  'DELETE /api/v2/users/:id/two_factor',
  // break-glass.e2e-spec.ts
  'POST /api/v2/groups/:id/break_glass',
  'GET /api/v2/break_glass_grants',
  'GET /api/v2/break_glass_grants/:id',
  'DELETE /api/v2/break_glass_grants/:id',
  // openapi.e2e-spec.ts (public)
  'GET /api/v2/openapi.json',
];

/** `status` for these callers, 403 for every other signed-in one, 401 for anonymous. */
function only(status: number, ...allowed: Who[]): Expected {
  const entries = CALLERS.map((who) => [
    who,
    allowed.includes(who) ? status : who === 'anonymous' ? 401 : 403,
  ]);
  return Object.fromEntries(entries) as Expected;
}

const STAFF_READERS: Who[] = ['admin', 'agent', 'light', 'custom', 'outsider'];
const GROUP_READERS: Who[] = ['admin', 'agent', 'light', 'outsider'];
const USER_WRITERS: Who[] = ['admin', 'agent', 'outsider'];
const SIGNED_IN: Who[] = ['admin', 'agent', 'light', 'custom', 'endUser', 'outsider'];
const TICKET_READERS: Who[] = ['admin', 'agent', 'light', 'outsider'];
/** Who may change tickets (`tickets.write`): not light agents, not the custom role. */
const TICKET_WRITERS: Who[] = ['admin', 'agent', 'outsider'];
/** The Requests API (`requests.own`): everyone signed in but the custom role, for their own. */
const REQUESTERS: Who[] = ['admin', 'agent', 'light', 'endUser', 'outsider'];
/** HR's tickets: its member sees them; everyone else who may read tickets gets 404. */
const HR_ONLY: Expected = {
  admin: 404,
  agent: 200,
  light: 404,
  custom: 403,
  endUser: 403,
  outsider: 404,
  anonymous: 401,
};

let serial = 0;
/** A name or address no other call used. */
const fresh = (prefix: string) => `${prefix}-${++serial}`;

const ROWS: readonly Row[] = [
  // Users
  {
    route: 'GET /api/v2/users/me',
    path: () => '/api/v2/users/me.json',
    expected: only(200, ...SIGNED_IN),
  },
  {
    route: 'GET /api/v2/users/search',
    path: () => '/api/v2/users/search.json?query=example',
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'GET /api/v2/users',
    path: () => '/api/v2/users.json',
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'GET /api/v2/users/:id',
    label: "another end user's profile (IDOR for an end user)",
    path: (f) => `/api/v2/users/${f.users.otherEndUser}.json`,
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'GET /api/v2/users/:id',
    label: "an end user's own profile by id: only /me is theirs",
    path: (f) => `/api/v2/users/${f.users.endUser}.json`,
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'POST /api/v2/users',
    body: () => ({ user: { email: `${fresh('new')}@example.com` } }),
    path: () => '/api/v2/users.json',
    expected: only(201, ...USER_WRITERS),
  },
  {
    route: 'POST /api/v2/users',
    label: 'creating an admin',
    body: () => ({ user: { email: `${fresh('boss')}@example.com`, role: 'admin' } }),
    path: () => '/api/v2/users.json',
    expected: only(201, 'admin'),
  },
  {
    route: 'POST /api/v2/users/create_or_update',
    body: () => ({ user: { email: `${fresh('upsert')}@example.com` } }),
    path: () => '/api/v2/users/create_or_update.json',
    expected: only(201, ...USER_WRITERS),
  },
  {
    route: 'PUT /api/v2/users/:id',
    label: "another end user's profile (IDOR for an end user; light agents write nothing)",
    path: (f) => `/api/v2/users/${f.users.otherEndUser}.json`,
    body: () => ({ user: { name: fresh('Renamed') } }),
    expected: only(200, ...USER_WRITERS),
  },
  {
    route: 'PUT /api/v2/users/:id',
    label: "an admin's profile: agents may not edit staff",
    path: (f) => `/api/v2/users/${f.users.admin}.json`,
    body: () => ({ user: { name: fresh('Admin') } }),
    expected: only(200, 'admin'),
  },
  {
    route: 'PUT /api/v2/users/:id',
    label: 'making an end user an admin',
    prepare: async () => ({
      target: await makeUser(`${fresh('promote')}@example.com`, 'end-user'),
    }),
    path: (_f, made) => `/api/v2/users/${made.target}.json`,
    body: () => ({ user: { role: 'admin' } }),
    expected: only(200, 'admin'),
  },
  {
    route: 'PUT /api/v2/users/:id',
    label: 'giving oneself a custom role',
    path: (f, _made, who) =>
      `/api/v2/users/${who === 'anonymous' ? f.users.agent : f.users[who]}.json`,
    body: (f) => ({ user: { custom_role_id: f.customRole } }),
    // An admin may not change their own role (422); nobody else may change a role at all.
    expected: { ...only(403), admin: 422 },
  },
  {
    route: 'DELETE /api/v2/users/:id',
    prepare: async () => ({ target: await makeUser(`${fresh('gone')}@example.com`, 'end-user') }),
    path: (_f, made) => `/api/v2/users/${made.target}.json`,
    expected: only(200, 'admin'),
  },

  // User identities
  {
    route: 'GET /api/v2/users/:userId/identities',
    label: "another end user's identities (IDOR for an end user)",
    path: (f) => `/api/v2/users/${f.users.otherEndUser}/identities.json`,
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'GET /api/v2/users/:userId/identities/:id',
    path: (f) => `/api/v2/users/${f.users.otherEndUser}/identities/${f.identity}.json`,
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'POST /api/v2/users/:userId/identities',
    label: 'adding an address to another end user (IDOR for an end user)',
    path: (f) => `/api/v2/users/${f.users.otherEndUser}/identities.json`,
    body: () => ({ identity: { type: 'email', value: `${fresh('alias')}@example.com` } }),
    expected: only(201, ...USER_WRITERS),
  },
  {
    route: 'POST /api/v2/users/:userId/identities',
    label: "adding an address to an admin (a way into the admin's account)",
    path: (f) => `/api/v2/users/${f.users.admin}/identities.json`,
    body: () => ({ identity: { type: 'email', value: `${fresh('takeover')}@example.com` } }),
    expected: only(201, 'admin'),
  },
  {
    route: 'PUT /api/v2/users/:userId/identities/:id',
    path: (f) => `/api/v2/users/${f.users.otherEndUser}/identities/${f.identity}.json`,
    body: () => ({ identity: { verified: true } }),
    expected: only(200, ...USER_WRITERS),
  },
  {
    route: 'PUT /api/v2/users/:userId/identities/:id/make_primary',
    path: (f) => `/api/v2/users/${f.users.otherEndUser}/identities/${f.identity}/make_primary.json`,
    expected: only(200, ...USER_WRITERS),
  },
  {
    route: 'PUT /api/v2/users/:userId/identities/:id/verify',
    path: (f) => `/api/v2/users/${f.users.otherEndUser}/identities/${f.identity}/verify.json`,
    expected: only(200, ...USER_WRITERS),
  },
  {
    route: 'DELETE /api/v2/users/:userId/identities/:id',
    prepare: async (f) => ({
      identity: await adminCreates(
        `/api/v2/users/${f.users.otherEndUser}/identities.json`,
        'identity',
        {
          identity: { type: 'email', value: `${fresh('spare')}@example.com` },
        },
      ),
    }),
    path: (f, made) => `/api/v2/users/${f.users.otherEndUser}/identities/${made.identity}.json`,
    expected: only(204, ...USER_WRITERS),
  },

  // Organizations
  {
    route: 'GET /api/v2/organizations',
    path: () => '/api/v2/organizations.json',
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'GET /api/v2/organizations/:id',
    path: (f) => `/api/v2/organizations/${f.organization}.json`,
    expected: only(200, ...STAFF_READERS),
  },
  {
    route: 'POST /api/v2/organizations',
    path: () => '/api/v2/organizations.json',
    body: () => ({ organization: { name: fresh('Org') } }),
    expected: only(201, 'admin', 'custom'),
  },
  {
    route: 'PUT /api/v2/organizations/:id',
    path: (f) => `/api/v2/organizations/${f.organization}.json`,
    body: () => ({ organization: { notes: fresh('note') } }),
    expected: only(200, 'admin', 'custom'),
  },
  {
    route: 'DELETE /api/v2/organizations/:id',
    prepare: async () => ({
      organization: await adminCreates('/api/v2/organizations.json', 'organization', {
        organization: { name: fresh('Doomed') },
      }),
    }),
    path: (_f, made) => `/api/v2/organizations/${made.organization}.json`,
    expected: only(204, 'admin', 'custom'),
  },

  // Groups
  {
    route: 'GET /api/v2/groups',
    path: () => '/api/v2/groups.json',
    expected: only(200, ...GROUP_READERS),
  },
  {
    route: 'GET /api/v2/groups/:id',
    label: 'the confidential group: the group itself is visible to staff, its content is not',
    path: (f) => `/api/v2/groups/${f.hr}.json`,
    expected: only(200, ...GROUP_READERS),
  },
  {
    route: 'POST /api/v2/groups',
    path: () => '/api/v2/groups.json',
    body: () => ({ group: { name: fresh('Group') } }),
    expected: only(201, 'admin'),
  },
  {
    route: 'PUT /api/v2/groups/:id',
    label: 'making a confidential group open',
    prepare: async () => ({
      group: await adminCreates('/api/v2/groups.json', 'group', {
        group: { name: fresh('Secret'), confidential: true },
      }),
    }),
    path: (_f, made) => `/api/v2/groups/${made.group}.json`,
    body: () => ({ group: { confidential: false } }),
    expected: only(200, 'admin'),
  },
  {
    route: 'DELETE /api/v2/groups/:id',
    prepare: async () => ({
      group: await adminCreates('/api/v2/groups.json', 'group', { group: { name: fresh('Old') } }),
    }),
    path: (_f, made) => `/api/v2/groups/${made.group}.json`,
    expected: only(204, 'admin'),
  },

  // Group memberships
  {
    route: 'GET /api/v2/group_memberships',
    path: () => '/api/v2/group_memberships.json',
    expected: only(200, ...GROUP_READERS),
  },
  {
    route: 'GET /api/v2/users/:user_id/group_memberships',
    path: (f) => `/api/v2/users/${f.users.agent}/group_memberships.json`,
    expected: only(200, ...GROUP_READERS),
  },
  {
    route: 'GET /api/v2/groups/:group_id/memberships',
    label: "the confidential group's members",
    path: (f) => `/api/v2/groups/${f.hr}/memberships.json`,
    expected: only(200, ...GROUP_READERS),
  },
  {
    route: 'GET /api/v2/group_memberships/:id',
    label: 'a membership of the confidential group',
    path: (f) => `/api/v2/group_memberships/${f.hrMembership}.json`,
    expected: only(200, ...GROUP_READERS),
  },
  {
    route: 'POST /api/v2/group_memberships',
    label: 'adding oneself to the confidential group',
    path: () => '/api/v2/group_memberships.json',
    body: (f, _made, who) => ({
      group_membership: {
        user_id: who === 'anonymous' ? f.users.outsider : f.users[who],
        group_id: f.hr,
      },
    }),
    // Nobody joins a confidential group on their own say: admins use break-glass instead.
    expected: only(403),
  },
  {
    route: 'POST /api/v2/group_memberships',
    label: 'adding another agent to the confidential group',
    prepare: async () => ({ user: await makeUser(`${fresh('joiner')}@example.com`, 'agent') }),
    path: () => '/api/v2/group_memberships.json',
    body: (f, made) => ({ group_membership: { user_id: made.user, group_id: f.hr } }),
    expected: only(201, 'admin'),
  },
  {
    route: 'DELETE /api/v2/group_memberships/:id',
    prepare: async (f) => {
      const user = await makeUser(`${fresh('leaver')}@example.com`, 'agent');
      const membership = await adminCreates('/api/v2/group_memberships.json', 'group_membership', {
        group_membership: { user_id: user, group_id: f.it },
      });
      return { membership };
    },
    path: (_f, made) => `/api/v2/group_memberships/${made.membership}.json`,
    expected: only(204, 'admin'),
  },

  // Audit log
  {
    route: 'GET /api/v2/audit_logs',
    path: () => '/api/v2/audit_logs.json',
    expected: only(200, 'admin'),
  },
  {
    route: 'GET /api/v2/audit_logs/:id',
    path: (f) => `/api/v2/audit_logs/${f.auditEntry}.json`,
    expected: only(200, 'admin'),
  },

  // Custom roles
  {
    route: 'GET /api/v2/custom_roles',
    path: () => '/api/v2/custom_roles.json',
    expected: only(200, 'admin'),
  },
  {
    route: 'GET /api/v2/custom_roles/:id',
    path: (f) => `/api/v2/custom_roles/${f.customRole}.json`,
    expected: only(200, 'admin'),
  },
  {
    route: 'POST /api/v2/custom_roles',
    path: () => '/api/v2/custom_roles.json',
    body: () => ({ custom_role: { name: fresh('Role'), permissions: ['users.me'] } }),
    expected: only(201, 'admin'),
  },
  {
    route: 'PUT /api/v2/custom_roles/:id',
    label: 'widening the role one holds',
    path: (f) => `/api/v2/custom_roles/${f.customRole}.json`,
    body: () => ({ custom_role: { permissions: ORGANIZERS } }),
    expected: only(200, 'admin'),
  },
  {
    route: 'DELETE /api/v2/custom_roles/:id',
    prepare: async () => ({
      role: await adminCreates('/api/v2/custom_roles.json', 'custom_role', {
        custom_role: { name: fresh('Unused'), permissions: [] },
      }),
    }),
    path: (_f, made) => `/api/v2/custom_roles/${made.role}.json`,
    expected: only(204, 'admin'),
  },
  // Tickets: light agents read and add internal notes; confidential HR only for its member
  {
    route: 'GET /api/v2/tickets',
    path: () => '/api/v2/tickets.json',
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/show_many',
    path: (f) => `/api/v2/tickets/show_many.json?ids=${f.itTicket},${f.hrTicket}`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/:id',
    path: (f) => `/api/v2/tickets/${f.itTicket}.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/:id',
    label: "a confidential group's ticket (IDOR for non-members and admins)",
    path: (f) => `/api/v2/tickets/${f.hrTicket}.json`,
    expected: HR_ONLY,
  },
  {
    route: 'POST /api/v2/tickets',
    path: () => '/api/v2/tickets.json',
    body: (f) => ({ ticket: { subject: fresh('New'), comment: { body: 'x' }, group_id: f.it } }),
    expected: only(201, 'admin', 'agent', 'outsider'),
  },
  {
    route: 'PUT /api/v2/tickets/:id',
    label: 'an internal note',
    path: (f) => `/api/v2/tickets/${f.itTicket}.json`,
    body: () => ({ ticket: { comment: { body: 'note', public: false } } }),
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'PUT /api/v2/tickets/:id',
    label: 'a public reply: not for light agents',
    path: (f) => `/api/v2/tickets/${f.itTicket}.json`,
    body: () => ({ ticket: { comment: { body: 'reply' } } }),
    expected: only(200, 'admin', 'agent', 'outsider'),
  },
  {
    route: 'PUT /api/v2/tickets/:id',
    label: "a note on a confidential group's ticket",
    path: (f) => `/api/v2/tickets/${f.hrTicket}.json`,
    body: () => ({ ticket: { comment: { body: 'peek', public: false } } }),
    expected: HR_ONLY,
  },
  {
    route: 'DELETE /api/v2/tickets/:id',
    prepare: async (f) => ({
      ticket: await adminCreates('/api/v2/tickets.json', 'ticket', {
        ticket: { subject: fresh('Doomed'), comment: { body: 'x' }, group_id: f.it },
      }),
    }),
    path: (_f, made) => `/api/v2/tickets/${made.ticket}.json`,
    expected: only(204, 'admin'),
  },
  // Bulk work (ticket-bulk.e2e-spec): accepted as a job; each item is checked as the caller
  {
    route: 'POST /api/v2/tickets/create_many',
    path: () => '/api/v2/tickets/create_many.json',
    body: (f) => ({
      tickets: [{ subject: fresh('Bulk'), comment: { body: 'x' }, group_id: f.it }],
    }),
    expected: only(200, 'admin', 'agent', 'outsider'),
  },
  {
    route: 'PUT /api/v2/tickets/update_many',
    path: (f) => `/api/v2/tickets/update_many.json?ids=${f.itTicket}`,
    body: () => ({ ticket: { comment: { body: 'bulk note', public: false } } }),
    expected: only(200, 'admin', 'agent', 'outsider'),
  },
  {
    route: 'DELETE /api/v2/tickets/destroy_many',
    prepare: async (f) => ({
      ticket: await adminCreates('/api/v2/tickets.json', 'ticket', {
        ticket: { subject: fresh('Doomed'), comment: { body: 'x' }, group_id: f.it },
      }),
    }),
    path: (_f, made) => `/api/v2/tickets/destroy_many.json?ids=${made.ticket}`,
    expected: only(200, 'admin'),
  },
  {
    route: 'POST /api/v2/tickets/:id/merge',
    // The source's requester is the target's: the merge adds nobody to IT's ticket as a CC.
    prepare: async (f) => ({
      ticket: await adminCreates('/api/v2/tickets.json', 'ticket', {
        ticket: {
          subject: fresh('Duplicate'),
          comment: { body: 'x' },
          group_id: f.it,
          requester_id: f.users.endUser,
        },
      }),
    }),
    path: (f) => `/api/v2/tickets/${f.itTicket}/merge.json`,
    body: (_f, made) => ({ ids: [made.ticket] }),
    expected: only(200, 'admin', 'agent', 'outsider'),
  },
  {
    route: 'POST /api/v2/tickets/:id/merge',
    label: "into a confidential group's ticket (IDOR)",
    // Filed by the admin, as HR's ticket is: the merge adds nobody to it as a CC.
    prepare: async (f) => ({
      ticket: await adminCreates('/api/v2/tickets.json', 'ticket', {
        ticket: { subject: fresh('Duplicate'), comment: { body: 'x' }, group_id: f.it },
      }),
    }),
    path: (f) => `/api/v2/tickets/${f.hrTicket}/merge.json`,
    body: (_f, made) => ({ ids: [made.ticket] }),
    expected: { ...HR_ONLY, light: 403 },
  },
  {
    route: 'GET /api/v2/job_statuses',
    path: () => '/api/v2/job_statuses.json',
    expected: only(200, ...SIGNED_IN),
  },
  {
    route: 'GET /api/v2/job_statuses/show_many',
    prepare: async () => ({ job: await adminJobStatus() }),
    path: (_f, made) => `/api/v2/job_statuses/show_many.json?ids=${jobStatusIds[made.job]}`,
    expected: only(200, ...SIGNED_IN),
  },
  {
    route: 'GET /api/v2/job_statuses/:id',
    label: "the admin's job status (IDOR for everyone else)",
    prepare: async () => ({ job: await adminJobStatus() }),
    path: (_f, made) => `/api/v2/job_statuses/${jobStatusIds[made.job]}.json`,
    expected: { ...only(404, ...SIGNED_IN), admin: 200 },
  },
  {
    route: 'GET /api/v2/tickets/:id/comments',
    path: (f) => `/api/v2/tickets/${f.itTicket}/comments.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/:id/comments',
    label: "a confidential group's ticket",
    path: (f) => `/api/v2/tickets/${f.hrTicket}/comments.json`,
    expected: HR_ONLY,
  },
  {
    route: 'GET /api/v2/tickets/:id/audits',
    path: (f) => `/api/v2/tickets/${f.hrTicket}/audits.json`,
    expected: HR_ONLY,
  },
  {
    route: 'GET /api/v2/organizations/:id/tickets',
    path: (f) => `/api/v2/organizations/${f.organization}/tickets.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/users/:id/tickets/requested',
    label: "another user's requests",
    path: (f) => `/api/v2/users/${f.users.endUser}/tickets/requested.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/users/:id/tickets/assigned',
    path: (f) => `/api/v2/users/${f.users.agent}/tickets/assigned.json`,
    expected: only(200, ...TICKET_READERS),
  },
  // Incremental export (tickets.export): admins only; HR stays out (incremental.e2e-spec)
  {
    route: 'GET /api/v2/incremental/tickets/cursor',
    path: () => '/api/v2/incremental/tickets/cursor.json?start_time=0',
    expected: only(200, 'admin'),
  },
  {
    route: 'GET /api/v2/incremental/tickets',
    path: () => '/api/v2/incremental/tickets.json?start_time=0',
    expected: only(200, 'admin'),
  },
  // Comments: redaction and make_private need tickets.write (not light agents); HR only for its member
  {
    route: 'PUT /api/v2/tickets/:ticket_id/comments/:id/redact',
    prepare: async (f) => ({ comment: await commentAs('admin', f.itTicket, 'secret-it') }),
    path: (f, made) => `/api/v2/tickets/${f.itTicket}/comments/${made.comment}/redact.json`,
    body: () => ({ text: 'secret-it' }),
    expected: only(200, ...TICKET_WRITERS),
  },
  {
    route: 'PUT /api/v2/tickets/:ticket_id/comments/:id/redact',
    label: "a comment on a confidential group's ticket (IDOR)",
    prepare: async (f) => ({ comment: await commentAs('agent', f.hrTicket, 'secret-hr') }),
    path: (f, made) => `/api/v2/tickets/${f.hrTicket}/comments/${made.comment}/redact.json`,
    body: () => ({ text: 'secret-hr' }),
    expected: { ...only(404, 'admin', 'outsider'), agent: 200 },
  },
  {
    route: 'PUT /api/v2/comment_redactions/:id',
    prepare: async (f) => ({ comment: await commentAs('admin', f.itTicket, 'secret-marked') }),
    path: (_f, made) => `/api/v2/comment_redactions/${made.comment}.json`,
    body: (f) => ({ ticket_id: f.itTicket, html_body: '<p><redact>secret-marked</redact></p>' }),
    expected: only(200, ...TICKET_WRITERS),
  },
  {
    route: 'PUT /api/v2/tickets/:ticket_id/comments/:comment_id/attachments/:id/redact',
    prepare: async (f) => {
      const file = await attachedAs('admin', f.itTicket);
      const row = await api.app
        .get(DataSource)
        .getRepository(TicketAttachmentEntity)
        .findOneByOrFail({ id: file });
      return { file, comment: Number(row.commentId) };
    },
    path: (f, made) =>
      `/api/v2/tickets/${f.itTicket}/comments/${made.comment}/attachments/${made.file}/redact.json`,
    expected: only(200, ...TICKET_WRITERS),
  },
  {
    route: 'PUT /api/v2/tickets/:ticket_id/comments/:id/make_private',
    prepare: async (f) => ({ comment: await commentAs('admin', f.itTicket, 'made private') }),
    path: (f, made) => `/api/v2/tickets/${f.itTicket}/comments/${made.comment}/make_private.json`,
    expected: only(200, ...TICKET_WRITERS),
  },
  {
    route: 'GET /api/v2/tickets/:id/related',
    path: (f) => `/api/v2/tickets/${f.itTicket}/related.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/:id/related',
    label: "a confidential group's ticket",
    path: (f) => `/api/v2/tickets/${f.hrTicket}/related.json`,
    expected: HR_ONLY,
  },
  {
    route: 'GET /api/v2/tickets/:id/incidents',
    path: (f) => `/api/v2/tickets/${f.itTicket}/incidents.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/:id/incidents',
    label: "a confidential group's ticket",
    path: (f) => `/api/v2/tickets/${f.hrTicket}/incidents.json`,
    expected: HR_ONLY,
  },
  // Tags: counted over the caller's tickets; a ticket's tags change with tickets.write
  {
    route: 'GET /api/v2/tags',
    path: () => '/api/v2/tags.json',
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/autocomplete/tags',
    path: () => '/api/v2/autocomplete/tags.json?name=pr',
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/:id/tags',
    path: (f) => `/api/v2/tickets/${f.itTicket}/tags.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/tickets/:id/tags',
    label: "a confidential group's ticket",
    path: (f) => `/api/v2/tickets/${f.hrTicket}/tags.json`,
    expected: HR_ONLY,
  },
  {
    route: 'POST /api/v2/tickets/:id/tags',
    path: (f) => `/api/v2/tickets/${f.itTicket}/tags.json`,
    body: () => ({ tags: ['printer', fresh('set')] }),
    expected: only(201, ...TICKET_WRITERS),
  },
  {
    route: 'PUT /api/v2/tickets/:id/tags',
    path: (f) => `/api/v2/tickets/${f.itTicket}/tags.json`,
    body: () => ({ tags: [fresh('added')] }),
    expected: only(200, ...TICKET_WRITERS),
  },
  {
    route: 'PUT /api/v2/tickets/:id/tags',
    label: "a confidential group's ticket",
    path: (f) => `/api/v2/tickets/${f.hrTicket}/tags.json`,
    body: () => ({ tags: [fresh('peek')] }),
    expected: { ...only(404, 'admin', 'outsider'), agent: 200 },
  },
  {
    route: 'DELETE /api/v2/tickets/:id/tags',
    path: (f) => `/api/v2/tickets/${f.itTicket}/tags.json`,
    body: () => ({ tags: ['printer'] }),
    expected: only(204, ...TICKET_WRITERS),
  },
  // Ticket fields: ticket readers read the definitions; only admins change them
  {
    route: 'GET /api/v2/ticket_fields',
    path: () => '/api/v2/ticket_fields.json',
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/ticket_fields/:id',
    prepare: async () => ({ field: await ticketField() }),
    path: (_f, made) => `/api/v2/ticket_fields/${made.field}.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'POST /api/v2/ticket_fields',
    path: () => '/api/v2/ticket_fields.json',
    body: () => ({ ticket_field: { type: 'text', title: fresh('Field') } }),
    expected: only(201, 'admin'),
  },
  {
    route: 'PUT /api/v2/ticket_fields/:id',
    prepare: async () => ({ field: await ticketField() }),
    path: (_f, made) => `/api/v2/ticket_fields/${made.field}.json`,
    body: () => ({ ticket_field: { title: fresh('Renamed') } }),
    expected: only(200, 'admin'),
  },
  {
    route: 'DELETE /api/v2/ticket_fields/:id',
    prepare: async () => ({ field: await ticketField() }),
    path: (_f, made) => `/api/v2/ticket_fields/${made.field}.json`,
    expected: only(204, 'admin'),
  },
  // Views: ticket readers use them (light agents too); shared views are views.manage's to change
  {
    route: 'GET /api/v2/views',
    path: () => '/api/v2/views.json',
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/views/active',
    path: () => '/api/v2/views/active.json',
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/views/count_many',
    prepare: async () => ({ view: await sharedView() }),
    path: (_f, made) => `/api/v2/views/count_many.json?ids=${made.view}`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/views/:id',
    prepare: async () => ({ view: await sharedView() }),
    path: (_f, made) => `/api/v2/views/${made.view}.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'POST /api/v2/views',
    label: 'a shared view',
    path: () => '/api/v2/views.json',
    body: () => ({
      view: { title: fresh('Shared'), all: [{ field: 'status', operator: 'is', value: 'open' }] },
    }),
    expected: only(201, 'admin'),
  },
  {
    route: 'POST /api/v2/views',
    label: "a personal view (one's own)",
    path: () => '/api/v2/views.json',
    body: (f, _made, who) => ({
      view: {
        title: fresh('Mine'),
        restriction: { type: 'User', id: who === 'anonymous' ? 1 : f.users[who] },
        all: [{ field: 'status', operator: 'is', value: 'open' }],
      },
    }),
    expected: only(201, 'admin', 'agent', 'outsider'),
  },
  {
    route: 'PUT /api/v2/views/:id',
    prepare: async () => ({ view: await sharedView() }),
    path: (_f, made) => `/api/v2/views/${made.view}.json`,
    body: () => ({ view: { title: fresh('Renamed') } }),
    expected: only(200, 'admin'),
  },
  {
    route: 'DELETE /api/v2/views/:id',
    prepare: async () => ({ view: await sharedView() }),
    path: (_f, made) => `/api/v2/views/${made.view}.json`,
    expected: only(204, 'admin'),
  },
  {
    route: 'GET /api/v2/views/:id/execute',
    prepare: async () => ({ view: await sharedView() }),
    path: (_f, made) => `/api/v2/views/${made.view}/execute.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/views/:id/tickets',
    prepare: async () => ({ view: await sharedView() }),
    path: (_f, made) => `/api/v2/views/${made.view}/tickets.json`,
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/views/:id/count',
    prepare: async () => ({ view: await sharedView() }),
    path: (_f, made) => `/api/v2/views/${made.view}/count.json`,
    expected: only(200, ...TICKET_READERS),
  },
  // Requests: a requester's view of their own tickets; anyone else's is 404, also for staff
  {
    route: 'GET /api/v2/requests',
    path: () => '/api/v2/requests.json',
    expected: only(200, ...REQUESTERS),
  },
  {
    route: 'GET /api/v2/requests/ccd',
    path: () => '/api/v2/requests/ccd.json',
    expected: only(200, ...REQUESTERS),
  },
  {
    route: 'GET /api/v2/requests/solved',
    path: () => '/api/v2/requests/solved.json',
    expected: only(200, ...REQUESTERS),
  },
  {
    route: 'GET /api/v2/requests/open',
    path: () => '/api/v2/requests/open.json?status=open,pending',
    expected: only(200, ...REQUESTERS),
  },
  {
    route: 'GET /api/v2/users/:id/requests',
    label: "the end user's requests: theirs, and staff's inside their scope",
    path: (f) => `/api/v2/users/${f.users.endUser}/requests.json`,
    expected: only(200, ...REQUESTERS),
  },
  {
    route: 'GET /api/v2/users/:id/requests',
    label: "another end user's requests (IDOR for an end user)",
    path: (f) => `/api/v2/users/${f.users.otherEndUser}/requests.json`,
    expected: { ...only(200, ...REQUESTERS), endUser: 404 },
  },
  {
    route: 'GET /api/v2/organizations/:id/requests',
    label: 'an organization that does not share tickets (IDOR for an end user)',
    path: (f) => `/api/v2/organizations/${f.organization}/requests.json`,
    expected: { ...only(200, ...REQUESTERS), endUser: 404 },
  },
  {
    route: 'GET /api/v2/requests/:id',
    label: "IT's ticket, requested by the end user",
    path: (f) => `/api/v2/requests/${f.itTicket}.json`,
    expected: { ...only(404, ...REQUESTERS), endUser: 200 },
  },
  {
    route: 'GET /api/v2/requests/:id',
    label: 'the confidential ticket the admin filed (IDOR for everyone else)',
    path: (f) => `/api/v2/requests/${f.hrTicket}.json`,
    expected: { ...only(404, ...REQUESTERS), admin: 200 },
  },
  {
    route: 'POST /api/v2/requests',
    path: () => '/api/v2/requests.json',
    body: () => ({ request: { subject: fresh('Help'), comment: { body: 'x' } } }),
    expected: only(201, ...REQUESTERS),
  },
  {
    route: 'PUT /api/v2/requests/:id',
    label: "a comment on the end user's request",
    path: (f) => `/api/v2/requests/${f.itTicket}.json`,
    body: () => ({ request: { comment: { body: 'any news?' } } }),
    expected: { ...only(404, ...REQUESTERS), endUser: 200 },
  },
  {
    route: 'GET /api/v2/requests/:id/comments',
    path: (f) => `/api/v2/requests/${f.itTicket}/comments.json`,
    expected: { ...only(404, ...REQUESTERS), endUser: 200 },
  },
  {
    route: 'GET /api/v2/requests/:id/comments',
    label: 'the confidential ticket the admin filed (IDOR for everyone else)',
    path: (f) => `/api/v2/requests/${f.hrTicket}/comments.json`,
    expected: { ...only(404, ...REQUESTERS), admin: 200 },
  },
  // Attachments: who may comment (and end-users) upload; a file follows its comment's visibility
  {
    route: 'POST /api/v2/uploads',
    path: () => '/api/v2/uploads.json?filename=notes.json',
    body: () => '{"notes": true}',
    expected: only(201, 'admin', 'agent', 'light', 'endUser', 'outsider'),
  },
  {
    route: 'DELETE /api/v2/uploads/:token',
    label: "the admin's upload (IDOR for everyone else)",
    prepare: async () => ({ upload: await uploadAs('admin') }),
    path: (_f, made) => `/api/v2/uploads/${uploadTokens[made.upload]}`,
    expected: { ...only(404, ...SIGNED_IN), admin: 204 },
  },
  {
    route: 'GET /api/v2/attachments/:id',
    label: "a public reply's file on IT's ticket, requested by the end user",
    prepare: async (f) => ({ file: await attachedAs('admin', f.itTicket) }),
    path: (_f, made) => `/api/v2/attachments/${made.file}.json`,
    expected: { ...only(200, ...TICKET_READERS, 'endUser'), custom: 404 },
  },
  {
    route: 'GET /api/v2/attachments/:id',
    label: "a file on a confidential group's ticket (IDOR)",
    prepare: async (f) => ({ file: await attachedAs('agent', f.hrTicket) }),
    path: (_f, made) => `/api/v2/attachments/${made.file}.json`,
    expected: { ...only(404, ...SIGNED_IN), agent: 200 },
  },
  {
    route: 'GET /api/v2/attachments/:id/download',
    prepare: async (f) => ({ file: await attachedAs('admin', f.itTicket) }),
    path: (_f, made) => `/api/v2/attachments/${made.file}/download`,
    expected: { ...only(200, ...TICKET_READERS, 'endUser'), custom: 404 },
  },
  {
    route: 'GET /api/v2/attachments/:id/download',
    label: "a file on a confidential group's ticket (IDOR)",
    prepare: async (f) => ({ file: await attachedAs('agent', f.hrTicket) }),
    path: (_f, made) => `/api/v2/attachments/${made.file}/download`,
    expected: { ...only(404, ...SIGNED_IN), agent: 200 },
  },
  // Search: staff who read tickets; results stay inside each caller's scope (search.e2e-spec)
  {
    route: 'GET /api/v2/search',
    path: () => '/api/v2/search.json?query=example',
    expected: only(200, ...TICKET_READERS),
  },
  {
    route: 'GET /api/v2/search/count',
    path: () => '/api/v2/search/count.json?query=status%3Copen',
    expected: only(200, ...TICKET_READERS),
  },
];

// The harness and the helpers the rows use to make records.
const api = useApiHarness();
let fixture: Fixture;
let callers: Readonly<Record<Who, Caller>>;

async function makeUser(email: string, role: UserRole, customRoleId?: number): Promise<number> {
  const { user } = await api.app.get(UserService).createUser({ email, role, customRoleId });
  return user.id;
}

async function withToken(id: number): Promise<Caller> {
  const { token } = await api.app.get(ApiTokenService).create(id, 'matrix');
  return { id, auth: `Bearer ${token}` };
}

/** Creates a record through the API as the admin; its id. */
async function adminCreates(path: string, key: string, body: Body): Promise<number> {
  const res = await api.call(callers.admin, 'POST', path, body);
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return Number((res.body[key] as Body).id);
}

/** A shared view of unsolved tickets, made by the admin; its id. */
function sharedView(): Promise<number> {
  return adminCreates('/api/v2/views.json', 'view', {
    view: {
      title: fresh('View'),
      all: [{ field: 'status', operator: 'less_than', value: 'solved' }],
    },
  });
}

/** An inactive text field, made by the admin (inactive: the tickets of other rows stay as they are); its id. */
function ticketField(): Promise<number> {
  return adminCreates('/api/v2/ticket_fields.json', 'ticket_field', {
    ticket_field: { type: 'text', title: fresh('Field'), active: false },
  });
}

/** Job status ids made by the rows, by index (a row's `made` holds only numbers). */
const jobStatusIds: string[] = [];

/** A job status of the admin's (a create_many of one ticket); the index of its id. */
async function adminJobStatus(): Promise<number> {
  const res = await api.call(callers.admin, 'POST', '/api/v2/tickets/create_many.json', {
    tickets: [{ subject: fresh('Bulk'), comment: { body: 'x' } }],
  });
  if (res.status !== 200) throw new Error(`create_many: ${res.status} ${JSON.stringify(res.body)}`);
  return jobStatusIds.push(String((res.body.job_status as Body).id)) - 1;
}

/** Upload tokens made by the rows, by index (a row's `made` holds only numbers). */
const uploadTokens: string[] = [];

/** Uploads a small JSON file as `who`; the index of its token in uploadTokens. */
async function uploadAs(who: Who): Promise<number> {
  const res = await api.call(callers[who], 'POST', '/api/v2/uploads.json?filename=f.json', '{}');
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${JSON.stringify(res.body)}`);
  return uploadTokens.push(String((res.body.upload as Body).token)) - 1;
}

/** A file `who` uploaded and attached to a public reply on the ticket; the attachment's id. */
/** A public reply `who` added to the ticket; the comment's id. */
async function commentAs(who: Who, ticket: number, body: string): Promise<number> {
  const reply = await api.call(callers[who], 'PUT', `/api/v2/tickets/${ticket}.json`, {
    ticket: { comment: { body } },
  });
  if (reply.status !== 200) throw new Error(`reply: ${reply.status} ${JSON.stringify(reply.body)}`);
  const page = await api.call(
    callers[who],
    'GET',
    `/api/v2/tickets/${ticket}/comments.json?sort_order=desc&per_page=1`,
  );
  return Number((page.body.comments as Body[])[0].id);
}

async function attachedAs(who: Who, ticket: number): Promise<number> {
  const res = await api.call(callers[who], 'POST', '/api/v2/uploads.json?filename=f.json', '{}');
  const upload = res.body.upload as Body;
  const reply = await api.call(callers[who], 'PUT', `/api/v2/tickets/${ticket}.json`, {
    ticket: { comment: { body: 'file', uploads: [upload.token] } },
  });
  if (reply.status !== 200) {
    throw new Error(`attach: ${reply.status} ${JSON.stringify(reply.body)}`);
  }
  return Number((upload.attachment as Body).id);
}

/** Every `METHOD /path` of the running server, without `.json`. */
function registeredRoutes(): string[] {
  const scanner = new MetadataScanner();
  const found = new Set<string>();
  for (const wrapper of api.app.get(DiscoveryService).getControllers()) {
    const controller = wrapper.metatype as (abstract new (...args: never[]) => object) | null;
    if (typeof controller !== 'function') continue;
    const prototype = controller.prototype as Record<string, unknown>;
    const prefixes = list(Reflect.getMetadata(PATH_METADATA, controller));
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as (...args: never[]) => unknown;
      const paths: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      for (const prefix of prefixes) {
        for (const path of list(paths)) {
          const joined = `/${prefix}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
          // The OpenAPI document is a file name, not the `.json` form of a route.
          found.add(
            `${method} ${joined === '/api/v2/openapi.json' ? joined : joined.replace(/\.json$/, '')}`,
          );
        }
      }
    }
  }
  return [...found].filter((route) => route.split(' ')[1]?.startsWith('/api/v2')).sort();
}

function list(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((p): p is string => typeof p === 'string');
  return [''];
}

describe('the role × endpoint matrix', () => {
  beforeAll(async () => {
    const { call } = api;
    const admin = await makeUser('admin@example.com', 'admin');
    const adminCaller = await withToken(admin);
    callers = { admin: adminCaller } as Record<Who, Caller>;
    const customRole = await adminCreates('/api/v2/custom_roles.json', 'custom_role', {
      custom_role: { name: 'Organizers', permissions: ORGANIZERS },
    });
    const users = {
      admin,
      agent: await makeUser('agent@example.com', 'agent'),
      light: await makeUser('light@example.com', 'light-agent'),
      custom: await makeUser('custom@example.com', 'agent', customRole),
      endUser: await makeUser('eve@example.com', 'end-user'),
      outsider: await makeUser('outsider@example.com', 'agent'),
      otherEndUser: await makeUser('oscar@example.com', 'end-user'),
    };
    callers = {
      admin: adminCaller,
      agent: await withToken(users.agent),
      light: await withToken(users.light),
      custom: await withToken(users.custom),
      endUser: await withToken(users.endUser),
      outsider: await withToken(users.outsider),
      anonymous: ANONYMOUS,
    };
    const it = await adminCreates('/api/v2/groups.json', 'group', { group: { name: 'IT' } });
    const hr = await adminCreates('/api/v2/groups.json', 'group', {
      group: { name: 'HR', confidential: true },
    });
    const member = (user: number, group: number) =>
      adminCreates('/api/v2/group_memberships.json', 'group_membership', {
        group_membership: { user_id: user, group_id: group },
      });
    const hrMembership = await member(users.agent, hr);
    for (const user of [users.agent, users.light, users.outsider]) await member(user, it);
    const organization = await adminCreates('/api/v2/organizations.json', 'organization', {
      organization: { name: 'Acme' },
    });
    const identities = await call(
      adminCaller,
      'GET',
      `/api/v2/users/${users.otherEndUser}/identities.json`,
    );
    const audit = await call(adminCaller, 'GET', '/api/v2/audit_logs.json');
    const itTicket = await adminCreates('/api/v2/tickets.json', 'ticket', {
      ticket: {
        subject: 'Printer',
        comment: { body: 'jammed' },
        group_id: it,
        requester_id: users.endUser,
        organization_id: organization,
      },
    });
    const hrTicket = await adminCreates('/api/v2/tickets.json', 'ticket', {
      ticket: { subject: 'Grievance', comment: { body: 'private' }, group_id: hr },
    });
    fixture = {
      itTicket,
      hrTicket,
      users,
      it,
      hr,
      hrMembership,
      organization,
      customRole,
      identity: Number((identities.body.identities as Body[])[0]?.id),
      auditEntry: Number((audit.body.audit_logs as Body[])[0]?.id),
    };
  });

  it('has a row, or a note that another file covers it, for every route of /api/v2', () => {
    const routes = registeredRoutes();
    const covered = new Set([...ROWS.map((row) => row.route), ...COVERED_ELSEWHERE]);
    expect(routes.filter((route) => !covered.has(route))).toEqual([]);
    // Nor rows for routes that no longer exist.
    expect([...covered].filter((route) => !routes.includes(route))).toEqual([]);
  });

  describe.each(
    ROWS.map((row) => [row.label ? `${row.route}: ${row.label}` : row.route, row] as const),
  )('%s', (_name, row) => {
    it.each(CALLERS.map((who) => [who, row.expected[who]] as const))(
      'answers %s with %i',
      async (who, status) => {
        const made = row.prepare ? await row.prepare(fixture) : {};
        const method = row.route.split(' ')[0];
        const body = row.body?.(fixture, made, who);
        const res = await api.call(callers[who], method, row.path(fixture, made, who), body);
        expect([who, res.status, res.body]).toEqual([who, status, expect.anything()]);
      },
    );
  });
});
