// `npm run bench:seed -- --tickets 1000000`: a realistic data set for the benchmarks, written
// with bulk inserts into the configured database (DATABASE_URL, as for `npm start`).
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import {
  GroupEntity,
  GroupMembershipEntity,
  OrganizationEntity,
  UserEntity,
  UserIdentityEntity,
} from '@steward/identity';
import { createDataSource, prepareSchema } from '@steward/persistence';
import { loadConfig } from '@steward/platform';
import { stewardSchema } from '@steward/runtime';
import {
  CustomFieldOptionEntity,
  RECOUNT_TICKETS,
  TicketCommentEntity,
  TicketFieldEntity,
  TicketFieldValueEntity,
  TicketEntity,
  TicketTagEntity,
  type TicketPriority,
  type TicketStatus,
  type TicketType,
} from '@steward/tickets';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** A small deterministic generator (mulberry32), so two seeds of one size are the same. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const rand = random(20261121);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];

/** Picks by weight: `[[value, weight], …]`. */
function weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = rand() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll <= 0) return value;
  }
  return choices[choices.length - 1][0];
}

// A desk's usual mix: most tickets long closed, a working set open.
const STATUSES: ReadonlyArray<readonly [TicketStatus, number]> = [
  ['closed', 55],
  ['solved', 12],
  ['open', 18],
  ['pending', 8],
  ['hold', 2],
  ['new', 5],
];
const PRIORITIES: ReadonlyArray<readonly [TicketPriority | null, number]> = [
  [null, 30],
  ['low', 15],
  ['normal', 40],
  ['high', 12],
  ['urgent', 3],
];
const TYPES: ReadonlyArray<readonly [TicketType | null, number]> = [
  [null, 40],
  ['question', 30],
  ['incident', 20],
  ['task', 7],
  ['problem', 3],
];
/** 1 to 20 comments, most tickets short: mean about 3.5. */
const COMMENTS: ReadonlyArray<readonly [number, number]> = [
  [1, 25],
  [2, 22],
  [3, 17],
  [4, 12],
  [5, 8],
  [6, 5],
  [8, 4],
  [10, 3],
  [15, 2],
  [20, 2],
];
const GROUPS = [
  'IT',
  'HR',
  'Facilities',
  'Finance',
  'Legal',
  'Procurement',
  'Security',
  'Payroll',
  'Travel',
  'Fleet',
];
/** The words of a desk's mail, most common first: what people write around the topic. */
const COMMON_WORDS = (
  'the to and is it my i a on not of in for please with this have can you we be from ' +
  'since again today when but all after no there any help work working thanks need get'
).split(' ');

/** Topic words, most common first. */
const TOPIC_WORDS = (
  'vpn laptop printer password reset access badge desk chair monitor email outlook calendar ' +
  'invoice payment contract leave holiday payroll expense travel booking parking key door ' +
  'heating light network wifi phone mobile license software install update error crash slow ' +
  'login account locked shared drive folder permission request approval order delivery'
).split(' ');

/**
 * A vocabulary of 8,000 words, picked by Zipf's law (the n-th word about 1/n as often as the
 * first), as words are in real text: a search for a topic word matches a few percent of tickets,
 * one for a rare word a handful, not half of them.
 */
const VOCABULARY = ((): string[] => {
  const syllables = 'ka lo mi ne ru sa te vo bi da fe gu ho ji ku la me no pe ri'.split(' ');
  const made: string[] = [];
  for (let i = 0; made.length < 8_000 - COMMON_WORDS.length - TOPIC_WORDS.length; i++) {
    let n = i;
    let word = '';
    do {
      word += syllables[n % syllables.length];
      n = Math.floor(n / syllables.length);
    } while (n > 0);
    if (word.length >= 4) made.push(word);
  }
  // Topic words rank a few hundred down: each is in a few percent of tickets.
  return [...COMMON_WORDS, ...made.slice(0, 300), ...TOPIC_WORDS, ...made.slice(300)];
})();
const ZIPF = ((): Float64Array => {
  const cumulative = new Float64Array(VOCABULARY.length);
  let total = 0;
  VOCABULARY.forEach((_, rank) => {
    total += 1 / (rank + 1);
    cumulative[rank] = total;
  });
  return cumulative.map((value) => value / total);
})();

function word(): string {
  const roll = rand();
  let low = 0;
  let high = ZIPF.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ZIPF[middle] < roll) low = middle + 1;
    else high = middle;
  }
  return VOCABULARY[low];
}

const TAGS = TOPIC_WORDS.slice(0, 30);

/** 0 to 3 tags, a few of them common. */
function tagsFor(): string[] {
  const count = weighted([
    [0, 30],
    [1, 40],
    [2, 20],
    [3, 10],
  ] as const);
  return [...new Set(Array.from({ length: count }, () => pick(TAGS)))];
}

function sentence(words: number): string {
  const text = Array.from({ length: words }, word).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const DAY = 86_400_000;

async function insert<T extends ObjectLiteral>(
  data: DataSource,
  entity: EntityTarget<T>,
  rows: T[],
  chunk = 500,
): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await data
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(rows.slice(i, i + chunk))
      .updateEntity(false)
      .execute();
  }
}

async function nextId(data: DataSource, table: string): Promise<number> {
  const [row] = await data.query<Array<{ top: number | string | null }>>(
    `SELECT MAX(id) AS top FROM ${table}`,
  );
  return Number(row?.top ?? 0) + 1;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tickets: { type: 'string', default: '100000' } },
    allowPositionals: false,
  });
  const tickets = Number(values.tickets);
  if (!Number.isSafeInteger(tickets) || tickets < 1 || tickets > 10_000_000) {
    throw new Error('--tickets must be a whole number from 1 to 10,000,000');
  }
  const config = loadConfig();
  const data = await createDataSource(config.database, stewardSchema);
  await data.initialize();
  const started = Date.now();
  try {
    await prepareSchema(data, true);
    const now = Date.now();
    const endUsers = Math.max(50, Math.ceil(tickets / 20));
    const agentsPerGroup = 8;

    const firstOrg = await nextId(data, 'organizations');
    const organizations = Array.from(
      { length: Math.max(5, Math.ceil(endUsers / 200)) },
      (_, i) => ({
        id: firstOrg + i,
        name: `Seed organization ${firstOrg + i}`,
        details: null,
        notes: null,
        externalId: null,
        sharedTickets: i % 3 === 0,
        sharedComments: false,
        createdAt: new Date(now - 800 * DAY),
        updatedAt: new Date(now - 800 * DAY),
      }),
    );
    await insert(data, OrganizationEntity, organizations);

    const firstGroup = await nextId(data, 'groups');
    const groups = GROUPS.map((name, i) => ({
      id: firstGroup + i,
      name: `${name} ${firstGroup + i}`,
      description: null,
      isDefault: false,
      isPublic: true,
      // HR is the confidential desk, as in the access tests.
      confidential: name === 'HR',
      deletedAt: null,
      createdAt: new Date(now - 800 * DAY),
      updatedAt: new Date(now - 800 * DAY),
    }));
    await insert(data, GroupEntity, groups);

    let userId = await nextId(data, 'users');
    const firstIdentity = await nextId(data, 'user_identities');
    const users: Array<Partial<UserEntity>> = [];
    const identities: Array<Partial<UserIdentityEntity>> = [];
    const person = (role: 'agent' | 'end-user', organizationId: number | null): number => {
      const id = userId++;
      const email = `seed-${id}@${role === 'agent' ? 'desk' : 'example'}.test`;
      users.push({
        id,
        email,
        name: `Seed ${role} ${id}`,
        role,
        externalId: null,
        phone: null,
        locale: 'en-US',
        timeZone: 'UTC',
        customRoleId: null,
        passwordHash: null,
        passwordMustChange: false,
        active: true,
        organizationId,
        erasedAt: null,
        createdAt: new Date(now - 800 * DAY),
        updatedAt: new Date(now - 800 * DAY),
      });
      identities.push({
        id: firstIdentity + identities.length,
        userId: id,
        type: 'email',
        value: email,
        primary: true,
        verified: true,
        createdAt: new Date(now - 800 * DAY),
        updatedAt: new Date(now - 800 * DAY),
      });
      return id;
    };
    const agentsOf = new Map<number, number[]>();
    const memberships: Array<Partial<GroupMembershipEntity>> = [];
    const firstMembership = await nextId(data, 'group_memberships');
    for (const group of groups) {
      const agents = Array.from({ length: agentsPerGroup }, () => person('agent', null));
      agentsOf.set(group.id, agents);
      for (const agent of agents) {
        memberships.push({
          id: firstMembership + memberships.length,
          userId: agent,
          groupId: group.id,
          isDefault: true,
          createdAt: new Date(now - 800 * DAY),
          updatedAt: new Date(now - 800 * DAY),
        });
      }
    }
    const requesters = Array.from({ length: endUsers }, () =>
      person('end-user', rand() < 0.6 ? pick(organizations).id : null),
    );
    const organizationOf = new Map(users.map((u) => [u.id as number, u.organizationId ?? null]));
    await insert(data, UserEntity, users as UserEntity[]);
    await insert(data, UserIdentityEntity, identities as UserIdentityEntity[]);
    await insert(data, GroupMembershipEntity, memberships as GroupMembershipEntity[]);

    // Two custom fields, as a desk defines them: a drop-down most tickets have, an asset tag
    // some have.
    const fieldsAt = new Date(now - 800 * DAY);
    const firstField = await nextId(data, 'ticket_fields');
    const field = (id: number, type: 'tagger' | 'text', title: string) => ({
      id,
      type,
      title: `${title} ${id}`,
      description: null,
      position: id,
      active: true,
      required: false,
      requiredInPortal: false,
      visibleInPortal: true,
      editableInPortal: type === 'tagger',
      regexpForValidation: null,
      tag: null,
      createdAt: fieldsAt,
      updatedAt: fieldsAt,
    });
    const categoryField = firstField;
    const assetField = firstField + 1;
    await insert(data, TicketFieldEntity, [
      field(categoryField, 'tagger', 'Category'),
      field(assetField, 'text', 'Asset tag'),
    ]);
    const CATEGORIES = ['hardware', 'software', 'access', 'facilities', 'other'];
    const firstOption = await nextId(data, 'custom_field_options');
    await insert(
      data,
      CustomFieldOptionEntity,
      CATEGORIES.map((value, i) => ({
        id: firstOption + i,
        fieldId: categoryField,
        name: value.charAt(0).toUpperCase() + value.slice(1),
        value,
        position: i,
      })),
    );

    // IT gets most of the work; the other desks less and less.
    const groupWeights = groups.map((g, i) => [g.id, 1 / (i + 1)] as const);
    let ticketId = await nextId(data, 'tickets');
    let commentId = await nextId(data, 'ticket_comments');
    const BATCH = 1_000;
    let comments = 0;
    for (let done = 0; done < tickets; done += BATCH) {
      const rows: Array<Partial<TicketEntity>> = [];
      const commentRows: Array<Partial<TicketCommentEntity>> = [];
      const tagRows: Array<{ ticketId: number; tag: string }> = [];
      const fieldRows: Array<{ ticketId: number; fieldId: number; value: string }> = [];
      for (let i = 0; i < Math.min(BATCH, tickets - done); i++) {
        const id = ticketId++;
        const status = weighted(STATUSES);
        const groupId = weighted(groupWeights);
        const unassigned = status === 'new' || (status === 'open' && rand() < 0.2);
        const assigneeId = unassigned ? null : pick(agentsOf.get(groupId) ?? []);
        const requesterId = pick(requesters);
        const createdAt = now - Math.floor(rand() * 730 * DAY);
        const updatedAt = Math.min(now, createdAt + Math.floor(rand() * 30 * DAY));
        const type = weighted(TYPES);
        rows.push({
          id,
          subject: `${pick(TOPIC_WORDS)} ${sentence(2 + Math.floor(rand() * 6)).toLowerCase()}`,
          status,
          priority: weighted(PRIORITIES),
          type,
          requesterId,
          submitterId: requesterId,
          assigneeId,
          groupId,
          organizationId: organizationOf.get(requesterId) ?? null,
          problemId: null,
          dueAt: type === 'task' ? new Date(updatedAt + 7 * DAY) : null,
          viaChannel: pick(['email', 'email', 'web', 'api'] as const),
          externalId: null,
          isPublic: true,
          createdAt: new Date(createdAt),
          updatedAt: new Date(updatedAt),
          solvedAt: status === 'solved' || status === 'closed' ? new Date(updatedAt) : null,
          deletedAt: null,
        });
        const count = weighted(COMMENTS);
        for (let c = 0; c < count; c++) {
          const author = c % 2 === 0 || assigneeId === null ? requesterId : assigneeId;
          const body = sentence(12 + Math.floor(rand() * 40));
          commentRows.push({
            id: commentId++,
            ticketId: id,
            authorId: author,
            isPublic: c === 0 || rand() < 0.8,
            body,
            htmlBody: `<p>${body}</p>`,
            viaChannel: 'email',
            createdAt: new Date(createdAt + c * Math.floor((updatedAt - createdAt) / count)),
          });
        }
        for (const tag of tagsFor()) tagRows.push({ ticketId: id, tag });
        if (rand() < 0.7) {
          fieldRows.push({ ticketId: id, fieldId: categoryField, value: pick(CATEGORIES) });
        }
        if (rand() < 0.2) {
          const asset = `AT-${String(Math.floor(rand() * 100_000)).padStart(5, '0')}`;
          fieldRows.push({ ticketId: id, fieldId: assetField, value: asset });
        }
      }
      await data.transaction(async (m) => {
        await m
          .createQueryBuilder()
          .insert()
          .into(TicketEntity)
          .values(rows)
          .updateEntity(false)
          .execute();
        for (let i = 0; i < commentRows.length; i += 500) {
          await m
            .createQueryBuilder()
            .insert()
            .into(TicketCommentEntity)
            .values(commentRows.slice(i, i + 500))
            .updateEntity(false)
            .execute();
        }
        if (tagRows.length > 0) {
          await m.createQueryBuilder().insert().into(TicketTagEntity).values(tagRows).execute();
        }
        if (fieldRows.length > 0) {
          await m
            .createQueryBuilder()
            .insert()
            .into(TicketFieldValueEntity)
            .values(fieldRows)
            .execute();
        }
      });
      comments += commentRows.length;
      if ((done / BATCH) % 50 === 0 || done + BATCH >= tickets) {
        const seconds = (Date.now() - started) / 1_000;
        process.stdout.write(
          `${Math.min(done + BATCH, tickets).toLocaleString('en')} tickets, ` +
            `${comments.toLocaleString('en')} comments (${seconds.toFixed(0)} s)\n`,
        );
      }
    }
    // The rows went in around Steward's services: count the tickets for the views again.
    await data.transaction(async (m) => {
      await m.query('DELETE FROM ticket_counts');
      await m.query(RECOUNT_TICKETS);
    });
    process.stdout.write(
      `seeded ${tickets.toLocaleString('en')} tickets, ${comments.toLocaleString('en')} comments, ` +
        `${users.length.toLocaleString('en')} users, ${groups.length} groups (HR confidential), ` +
        '2 custom fields, ' +
        `${organizations.length} organizations in ${((Date.now() - started) / 1_000).toFixed(0)} s\n`,
    );
  } finally {
    await data.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:seed failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
