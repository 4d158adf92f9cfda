import type { INestApplicationContext } from '@nestjs/common';
import { type UserEntity, type UserRole, UserService } from '@steward/identity';
import { truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { TicketCollaboratorEntity } from './ticket-collaborator.entity';
import { TicketCommentEntity } from './ticket-comment.entity';
import { ERASED_SUBJECT, TicketContributor } from './ticket.contributor';
import { TicketEntity } from './ticket.entity';
import { TicketService } from './ticket.service';
import { TicketSearchService } from './search.service';
import { ViewEntity } from './view.entity';
import { DomainEvents } from '@steward/persistence';

describe('tickets personal data contributor', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let tickets: TicketService;
  let contributor: TicketContributor;

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp());
    tickets = app.get(TicketService);
    contributor = app.get(TicketContributor);
  });

  afterEach(async () => {
    await truncateAll(app.get(DataSource));
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role, password: 'x'.repeat(16) })).user;
  }

  /** Ann's ticket with an agent's reply and note, and a ticket where Ann is only copied. */
  async function scene(): Promise<{
    ann: UserEntity;
    agent: UserEntity;
    own: number;
    copied: number;
  }> {
    const ann = await user('ann@example.com', 'end-user');
    const bob = await user('bob@example.com', 'end-user');
    const agent = await user('agent@example.com', 'agent');
    const own = (
      await tickets.create(
        {
          subject: 'Ann cannot log in',
          comment: { body: 'My laptop says no.', authorId: ann.id },
          requesterId: ann.id,
        },
        { user: agent, via: 'api' },
      )
    ).ticket.id;
    await tickets.update(
      own,
      { comment: { body: 'Reset for ann@example.com' } },
      { user: agent, via: 'api' },
    );
    await tickets.update(
      own,
      { comment: { body: 'Ann@Example.com called twice', isPublic: false } },
      { user: agent, via: 'api' },
    );
    const copied = (
      await tickets.create(
        {
          subject: 'Bob’s printer',
          comment: { body: 'Jammed' },
          requesterId: bob.id,
          collaboratorIds: [ann.id],
        },
        { user: agent, via: 'api' },
      )
    ).ticket.id;
    return { ann, agent, own, copied };
  }

  async function personalView(owner: number): Promise<void> {
    await app
      .get(DataSource)
      .getRepository(ViewEntity)
      .insert({
        title: 'My laptops',
        description: null,
        active: true,
        position: 0,
        restrictionType: 'User',
        restrictionId: owner,
        conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }], any: [] },
        execution: {
          columns: ['subject'],
          sortBy: 'updated_at',
          sortOrder: 'desc',
          groupBy: null,
          groupOrder: 'asc',
        },
        defaultKey: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
  }

  it('exports every ticket the subject is part of, with internal notes flagged', async () => {
    const { ann, own, copied } = await scene();
    await personalView(ann.id);
    const parts = await contributor.exportSubject({ userId: String(ann.id), emails: [] });
    const exported = parts.find((p) => p.category === 'tickets')?.records ?? [];
    expect(exported.map((t) => t.id)).toEqual([own, copied]);
    expect(exported[0]).toMatchObject({ subject: 'Ann cannot log in', requestedBySubject: true });
    expect(exported[0].comments).toEqual([
      expect.objectContaining({
        writtenBySubject: true,
        internalNote: false,
        body: 'My laptop says no.',
      }),
      expect.objectContaining({ writtenBySubject: false, internalNote: false }),
      expect.objectContaining({ writtenBySubject: false, internalNote: true }),
    ]);
    expect(exported[1]).toMatchObject({ requestedBySubject: false, copiedOrFollowing: ['cc'] });
    expect(parts.find((p) => p.category === 'personal_views')?.records).toEqual([
      expect.objectContaining({ title: 'My laptops' }),
    ]);
  });

  it('anonymises: own comments emptied, subjects replaced, CCs gone, mentions replaced', async () => {
    const { ann, agent, own, copied } = await scene();
    const subject = { userId: String(ann.id), emails: ['ann@example.com'] };
    const plan = await contributor.planErasure(subject);
    expect(plan).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ category: 'tickets', action: 'anonymise', count: 1 }),
        expect.objectContaining({ category: 'ticket_comments', count: 1 }),
        expect.objectContaining({ category: 'ticket_collaborations', action: 'delete', count: 1 }),
        expect.objectContaining({ category: 'ticket_comment_mentions', count: 2 }),
      ]),
    );
    await personalView(ann.id);
    const search = app.get(TicketSearchService);
    const hits = async (text: string) =>
      (await search.find(agent, text, { offset: 0, perPage: 10 })).count;
    await app.get(DomainEvents).settled();
    expect(await hits('laptop')).toBe(1);
    await contributor.eraseSubject(subject, { label: 'Erased user 7f3a9c1e' });
    expect(await hits('laptop')).toBe(0);
    expect(await hits('"cannot log in"')).toBe(0);
    expect(await hits('7f3a9c1e')).toBe(1);
    const data = app.get(DataSource);
    expect((await data.getRepository(TicketEntity).findOneByOrFail({ id: own })).subject).toBe(
      ERASED_SUBJECT,
    );
    expect((await data.getRepository(TicketEntity).findOneByOrFail({ id: copied })).subject).toBe(
      'Bob’s printer',
    );
    const comments = await data
      .getRepository(TicketCommentEntity)
      .find({ where: { ticketId: own }, order: { id: 'ASC' } });
    expect(comments.map((c) => c.body)).toEqual([
      '',
      'Reset for Erased user 7f3a9c1e',
      'Erased user 7f3a9c1e called twice',
    ]);
    expect(JSON.stringify(comments)).not.toMatch(/ann@example\.com/i);
    expect(await data.getRepository(TicketCollaboratorEntity).countBy({ userId: ann.id })).toBe(0);
    expect(await data.getRepository(ViewEntity).countBy({ restrictionId: ann.id })).toBe(0);
  });
});
