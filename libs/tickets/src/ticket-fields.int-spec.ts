import type { INestApplicationContext } from '@nestjs/common';
import {
  GroupMembershipService,
  GroupService,
  SYSTEM_ACTOR,
  type UserEntity,
  type UserRole,
  UserService,
} from '@steward/identity';
import { schemaDrift } from '@steward/persistence';
import { StewardError } from '@steward/platform';
import type { TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { startTicketsTestApp } from './testing/tickets-test-app';
import { RequestService } from './request.service';
import { TicketContributor } from './ticket.contributor';
import { TicketFieldValueEntity } from './ticket-field.entity';
import { type TicketFieldInput, TicketFieldService } from './ticket-field.service';
import { type TicketInput, TicketService, type TicketView } from './ticket.service';
import { ViewService } from './view.service';

/** The 422 details of a refused call, or a failure when it was not refused that way. */
async function refusal(promise: Promise<unknown>): Promise<Record<string, string[]>> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StewardError)) throw new Error(`expected a refusal, got ${String(error)}`);
  expect(error.code).toBe('invalid');
  return (error as unknown as { details: Record<string, string[]> }).details;
}

describe('custom ticket fields', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let fields: TicketFieldService;
  let tickets: TicketService;
  let admin: UserEntity;
  let agent: UserEntity;
  let light: UserEntity;
  let endUser: UserEntity;
  let itGroup: number;
  const ids: Record<string, number> = {};

  async function user(email: string, role: UserRole): Promise<UserEntity> {
    return (await app.get(UserService).createUser({ email, role, password: 'x'.repeat(16) })).user;
  }

  async function field(input: TicketFieldInput): Promise<number> {
    return (await fields.create(input, admin)).field.id;
  }

  async function ticket(input: TicketInput = {}): Promise<TicketView> {
    return tickets.create(
      { subject: 'Laptop', comment: { body: 'It broke' }, groupId: itGroup, ...input },
      { user: agent, via: 'api' },
    );
  }

  function valueOf(view: TicketView, id: number): unknown {
    return view.customFields.find((f) => f.id === id)?.value;
  }

  beforeAll(async () => {
    ({ app, setup } = await startTicketsTestApp());
    fields = app.get(TicketFieldService);
    tickets = app.get(TicketService);
    admin = await user('admin@example.com', 'admin');
    agent = await user('agent@example.com', 'agent');
    light = await user('light@example.com', 'light-agent');
    endUser = await user('eve@example.com', 'end-user');
    itGroup = (await app.get(GroupService).create({ name: 'IT' }, SYSTEM_ACTOR)).id;
    for (const member of [agent, light]) {
      await app
        .get(GroupMembershipService)
        .create({ userId: member.id, groupId: itGroup }, SYSTEM_ACTOR);
    }
    ids.text = await field({ type: 'text', title: 'Asset tag', position: 1 });
    ids.textarea = await field({ type: 'textarea', title: 'Steps', position: 2 });
    ids.integer = await field({ type: 'integer', title: 'Seats', position: 3 });
    ids.decimal = await field({ type: 'decimal', title: 'Cost', position: 4 });
    ids.checkbox = await field({ type: 'checkbox', title: 'VIP', tag: 'vip', position: 5 });
    ids.date = await field({ type: 'date', title: 'Bought on', position: 6 });
    ids.tagger = await field({
      type: 'tagger',
      title: 'Product',
      position: 7,
      visibleInPortal: true,
      editableInPortal: true,
      customFieldOptions: [
        { name: 'Laptop', value: 'product_laptop' },
        { name: 'Phone', value: 'product_phone' },
      ],
    });
    ids.multiselect = await field({
      type: 'multiselect',
      title: 'Affected',
      position: 8,
      customFieldOptions: [
        { name: 'Mail', value: 'sys_mail' },
        { name: 'VPN', value: 'sys_vpn' },
      ],
    });
    ids.regexp = await field({
      type: 'regexp',
      title: 'Employee number',
      position: 9,
      regexpForValidation: '\\A[A-Z]{2}\\d{4}\\z',
    });
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('creates its tables exactly as the entities describe them', async () => {
    const drift = await schemaDrift(app.get(DataSource));
    expect(
      drift.filter((sql) => /ticket_fields|custom_field_options|ticket_field_values/.test(sql)),
    ).toEqual([]);
  });

  it('lists the fields by position to staff, with the options of drop-downs', async () => {
    const listed = await fields.list(light);
    expect(listed.map((v) => v.field.title)).toEqual([
      'Asset tag',
      'Steps',
      'Seats',
      'Cost',
      'VIP',
      'Bought on',
      'Product',
      'Affected',
      'Employee number',
    ]);
    const product = listed.find((v) => v.field.id === ids.tagger);
    expect(product?.options.map((o) => [o.name, o.value, o.position])).toEqual([
      ['Laptop', 'product_laptop', 0],
      ['Phone', 'product_phone', 1],
    ]);
    await expect(fields.list(endUser)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('lets only admins create, change and delete fields', async () => {
    await expect(fields.create({ type: 'text', title: 'Mine' }, agent)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(fields.update(ids.text, { title: 'Renamed' }, agent)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(fields.delete(ids.text, light)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('refuses bad field definitions with the field named', async () => {
    expect(await refusal(fields.create({ title: 'No type' }, admin))).toHaveProperty('type');
    expect(await refusal(fields.create({ type: 'lookup', title: 'X' }, admin))).toHaveProperty(
      'type',
    );
    expect(await refusal(fields.create({ type: 'text', title: ' ' }, admin))).toHaveProperty(
      'title',
    );
    expect(
      await refusal(
        fields.create({ type: 'regexp', title: 'R', regexpForValidation: '([a-z' }, admin),
      ),
    ).toEqual({ regexp_for_validation: ['is not a valid regular expression'] });
    expect(
      await refusal(
        fields.create({ type: 'regexp', title: 'R', regexpForValidation: 'a'.repeat(256) }, admin),
      ),
    ).toHaveProperty('regexp_for_validation');
    expect(await refusal(fields.create({ type: 'regexp', title: 'R' }, admin))).toHaveProperty(
      'regexp_for_validation',
    );
    expect(await refusal(fields.create({ type: 'tagger', title: 'T' }, admin))).toHaveProperty(
      'custom_field_options',
    );
    expect(
      await refusal(
        fields.create(
          {
            type: 'tagger',
            title: 'T',
            customFieldOptions: [
              { name: 'A', value: 'same' },
              { name: 'B', value: 'same' },
            ],
          },
          admin,
        ),
      ),
    ).toEqual({ custom_field_options: ['the value "same" is used twice'] });
    expect(
      await refusal(
        fields.create(
          { type: 'tagger', title: 'T', customFieldOptions: [{ name: 'A', value: 'two words' }] },
          admin,
        ),
      ),
    ).toHaveProperty('custom_field_options');
  });

  it('keeps a field’s type once created', async () => {
    expect(await refusal(fields.update(ids.text, { type: 'integer' }, admin))).toEqual({
      type: ['cannot change once the field is created'],
    });
    const same = await fields.update(
      ids.text,
      { type: 'text', description: 'On the sticker' },
      admin,
    );
    expect(same.field).toMatchObject({ type: 'text', description: 'On the sticker' });
  });

  it('shows every active field on a ticket, value or null, an unchecked checkbox as false', async () => {
    const view = await ticket();
    expect(view.customFields.map((f) => [f.id, f.value])).toEqual([
      [ids.text, null],
      [ids.textarea, null],
      [ids.integer, null],
      [ids.decimal, null],
      [ids.checkbox, false],
      [ids.date, null],
      [ids.tagger, null],
      [ids.multiselect, null],
      [ids.regexp, null],
    ]);
  });

  it.each([
    ['text', 'A-1234', 'A-1234'],
    ['textarea', 'Line one\r\nLine two', 'Line one\nLine two'],
    ['integer', 42, 42],
    ['integer', '-7', -7],
    ['decimal', 12.5, 12.5],
    ['decimal', '0.25', 0.25],
    ['checkbox', true, true],
    ['date', '2026-02-28', '2026-02-28'],
    ['tagger', 'product_phone', 'product_phone'],
    ['multiselect', ['sys_vpn', 'sys_mail'], ['sys_mail', 'sys_vpn']],
    ['regexp', 'AB1234', 'AB1234'],
  ])('takes a valid %s value (%p)', async (type, value, shown) => {
    const view = await ticket({ customFields: [{ id: ids[type], value }] });
    expect(valueOf(view, ids[type])).toEqual(shown);
    const again = await tickets.show(view.ticket.id, agent);
    expect(valueOf(again, ids[type])).toEqual(shown);
  });

  it.each([
    ['text', 42],
    ['text', 'two\nlines'],
    ['text', 'x'.repeat(256)],
    ['textarea', 'x'.repeat(65_537)],
    ['integer', 1.5],
    ['integer', '12abc'],
    ['integer', true],
    ['decimal', 'twelve'],
    ['decimal', Number.POSITIVE_INFINITY],
    ['decimal', '1e5'],
    ['checkbox', 'yes'],
    ['date', '2026-02-30'],
    ['date', '28/02/2026'],
    ['date', '2026-02-28T10:00:00Z'],
    ['tagger', 'product_tablet'],
    ['tagger', ['product_phone']],
    ['multiselect', 'sys_vpn'],
    ['multiselect', ['sys_vpn', 'sys_fax']],
    ['regexp', 'ab1234'],
    ['regexp', 'X'.repeat(1001)],
    ['regexp', { value: 'AB1234' }],
  ])('refuses a %s value %p with a 422 naming the field', async (type, value) => {
    const details = await refusal(ticket({ customFields: [{ id: ids[type], value }] }));
    expect(Object.keys(details)).toEqual([`custom_fields.${ids[type]}`]);
  });

  it('refuses unknown and inactive fields', async () => {
    expect(await refusal(ticket({ customFields: [{ id: 999_999, value: 'x' }] }))).toEqual({
      custom_fields: ['999999 is not a ticket field you can set'],
    });
    const old = await field({ type: 'text', title: 'Old', active: false });
    expect(await refusal(ticket({ customFields: [{ id: old, value: 'x' }] }))).toHaveProperty(
      'custom_fields',
    );
    expect((await ticket()).customFields.map((f) => f.id)).not.toContain(old);
  });

  it('refuses a value a pattern would take forever on, quickly', async () => {
    const slow = await field({ type: 'regexp', title: 'Slow', regexpForValidation: '^(a+)+$' });
    const started = Date.now();
    const details = await refusal(
      ticket({ customFields: [{ id: slow, value: `${'a'.repeat(40)}b` }] }),
    );
    expect(details).toEqual({
      [`custom_fields.${slow}`]: ['could not be checked against the pattern in time'],
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    await fields.update(slow, { active: false }, admin);
  });

  it('records each change as an audit event named by the field id', async () => {
    const view = await ticket({ customFields: [{ id: ids.integer, value: 3 }] });
    await tickets.update(
      view.ticket.id,
      {
        customFields: [
          { id: ids.integer, value: 5 },
          { id: ids.text, value: 'A-9' },
        ],
      },
      { user: agent, via: 'api' },
    );
    const { audits } = await tickets.audits(view.ticket.id, agent, { offset: 0, perPage: 10 });
    const created = audits[0].events.filter((e) => e.fieldName === String(ids.integer));
    expect(created.map((e) => [e.type, e.value])).toEqual([['Create', '3']]);
    const changed = audits[1].events.map((e) => [e.type, e.fieldName, e.value, e.previousValue]);
    expect(changed).toEqual(
      expect.arrayContaining([
        ['Change', String(ids.integer), '5', '3'],
        ['Change', String(ids.text), '"A-9"', null],
      ]),
    );
    // Setting the same value again changes nothing and records nothing.
    await expect(
      tickets.update(
        view.ticket.id,
        { customFields: [{ id: ids.integer, value: '5' }] },
        { user: agent, via: 'api' },
      ),
    ).resolves.toBeDefined();
    expect((await tickets.audits(view.ticket.id, agent, { offset: 0, perPage: 10 })).count).toBe(2);
  });

  it('puts a checkbox’s tag and a drop-down’s option on the ticket, and takes the old one off', async () => {
    const view = await ticket({
      tags: ['hardware'],
      customFields: [
        { id: ids.checkbox, value: true },
        { id: ids.tagger, value: 'product_laptop' },
      ],
    });
    expect(view.tags).toEqual(['hardware', 'product_laptop', 'vip']);
    const changed = await tickets.update(
      view.ticket.id,
      {
        customFields: [
          { id: ids.checkbox, value: false },
          { id: ids.tagger, value: 'product_phone' },
        ],
      },
      { user: agent, via: 'api' },
    );
    expect(changed.tags).toEqual(['hardware', 'product_phone']);
    const { audits } = await tickets.audits(view.ticket.id, agent, { offset: 0, perPage: 10 });
    const tagEvent = audits[1].events.find((e) => e.fieldName === 'tags');
    expect(tagEvent?.value).toBe(JSON.stringify(['hardware', 'product_phone']));
    const cleared = await tickets.update(
      view.ticket.id,
      { customFields: [{ id: ids.tagger, value: null }] },
      { user: agent, via: 'api' },
    );
    expect(cleared.tags).toEqual(['hardware']);
    expect(valueOf(cleared, ids.tagger)).toBeNull();
  });

  describe('a field required to solve', () => {
    let required: number;

    beforeAll(async () => {
      required = await field({ type: 'text', title: 'Root cause', required: true });
    });

    afterAll(async () => {
      await fields.update(required, { active: false }, admin);
    });

    it('refuses to solve the ticket while the field is empty, naming it', async () => {
      const view = await ticket({ assigneeId: agent.id });
      const details = await refusal(
        tickets.update(view.ticket.id, { status: 'solved' }, { user: agent, via: 'api' }),
      );
      expect(details).toEqual({
        [`custom_fields.${required}`]: ['Root cause is required to solve the ticket'],
      });
      expect((await tickets.show(view.ticket.id, agent)).ticket.status).toBe('open');
      const solved = await tickets.update(
        view.ticket.id,
        { status: 'solved', customFields: [{ id: required, value: 'Bad cable' }] },
        { user: agent, via: 'api' },
      );
      expect(solved.ticket.status).toBe('solved');
    });

    it('refuses to create a ticket solved without it', async () => {
      expect(await refusal(ticket({ assigneeId: agent.id, status: 'solved' }))).toHaveProperty([
        `custom_fields.${required}`,
      ]);
    });

    it('refuses a requester’s solve through the Requests API too', async () => {
      const view = await ticket({ requesterId: endUser.id, assigneeId: agent.id });
      const details = await refusal(
        app.get(RequestService).update(
          view.ticket.id,
          { solved: true },
          {
            user: endUser,
            via: 'web',
          },
        ),
      );
      expect(details).toHaveProperty([`custom_fields.${required}`]);
    });
  });

  describe('in the help center (Requests API)', () => {
    let portalOnly: number;
    let hiddenRequired: number;

    beforeAll(async () => {
      portalOnly = await field({
        type: 'text',
        title: 'Your room',
        visibleInPortal: true,
        editableInPortal: true,
        requiredInPortal: true,
      });
      // Required in the portal but not editable there: nobody could fill it, so not enforced.
      hiddenRequired = await field({ type: 'text', title: 'Internal', requiredInPortal: true });
    });

    afterAll(async () => {
      await fields.update(portalOnly, { active: false }, admin);
      await fields.update(hiddenRequired, { active: false }, admin);
    });

    it('needs the fields required in the portal', async () => {
      const requests = app.get(RequestService);
      const actor = { user: endUser, via: 'web' as const };
      expect(
        await refusal(requests.create({ subject: 'Help', comment: { body: 'Please' } }, actor)),
      ).toEqual({ [`custom_fields.${portalOnly}`]: ['Your room is required'] });
      const created = await requests.create(
        {
          subject: 'Help',
          comment: { body: 'Please' },
          customFields: [
            { id: portalOnly, value: 'B-201' },
            { id: ids.tagger, value: 'product_phone' },
          ],
        },
        actor,
      );
      // By position: the new field (0) before Product (7); only the fields visible there.
      expect(created.customFields.map((f) => [f.id, f.value])).toEqual([
        [portalOnly, 'B-201'],
        [ids.tagger, 'product_phone'],
      ]);
      const asStaff = await tickets.show(created.ticket.id, admin);
      expect(valueOf(asStaff, portalOnly)).toBe('B-201');
      expect(asStaff.tags).toContain('product_phone');
    });

    it('refuses fields that are not editable in the portal', async () => {
      const details = await refusal(
        app.get(RequestService).create(
          {
            subject: 'Help',
            comment: { body: 'Please' },
            customFields: [
              { id: portalOnly, value: 'B-201' },
              { id: ids.text, value: 'sneaky' },
            ],
          },
          { user: endUser, via: 'web' },
        ),
      );
      expect(details).toEqual({ custom_fields: [`${ids.text} is not a ticket field you can set`] });
    });
  });

  it('lets views filter on drop-down, checkbox and empty values (custom_fields_<id>)', async () => {
    const marker = await field({ type: 'text', title: 'Batch' });
    const phoneVip = await ticket({
      customFields: [
        { id: marker, value: 'views' },
        { id: ids.tagger, value: 'product_phone' },
        { id: ids.checkbox, value: true },
      ],
    });
    const phone = await ticket({
      customFields: [
        { id: marker, value: 'views' },
        { id: ids.tagger, value: 'product_phone' },
      ],
    });
    const bare = await ticket({ customFields: [{ id: marker, value: 'views' }] });
    const views = app.get(ViewService);
    const batch = { field: `custom_fields_${marker}`, operator: 'is', value: 'views' };
    async function matching(...conditions: object[]): Promise<number[]> {
      const view = await views.create(
        { title: `By field ${conditions.length}`, conditions: { all: [batch, ...conditions] } },
        admin,
      );
      const page = await views.ticketPage(view.id, admin, { offset: 0, perPage: 100 });
      await views.delete(view.id, admin);
      return page.tickets.map((t) => t.ticket.id).sort((a, b) => a - b);
    }
    const tagger = `custom_fields_${ids.tagger}`;
    const checkbox = `custom_fields_${ids.checkbox}`;
    expect(await matching({ field: tagger, operator: 'is', value: 'product_phone' })).toEqual([
      phoneVip.ticket.id,
      phone.ticket.id,
    ]);
    expect(await matching({ field: checkbox, operator: 'is', value: true })).toEqual([
      phoneVip.ticket.id,
    ]);
    expect(await matching({ field: checkbox, operator: 'is', value: false })).toEqual([
      phone.ticket.id,
      bare.ticket.id,
    ]);
    expect(await matching({ field: tagger, operator: 'is', value: null })).toEqual([
      bare.ticket.id,
    ]);
    expect(await matching({ field: tagger, operator: 'is_not', value: 'product_phone' })).toEqual([
      bare.ticket.id,
    ]);
    await fields.update(marker, { active: false }, admin);
  });

  it('deletes a field with every ticket’s value of it', async () => {
    const doomed = await field({ type: 'integer', title: 'Doomed' });
    const view = await ticket({ customFields: [{ id: doomed, value: 7 }] });
    const rows = app.get(DataSource).getRepository(TicketFieldValueEntity);
    expect(await rows.countBy({ fieldId: doomed })).toBe(1);
    await fields.delete(doomed, admin);
    expect(await rows.countBy({ fieldId: doomed })).toBe(0);
    expect((await tickets.show(view.ticket.id, agent)).customFields.map((f) => f.id)).not.toContain(
      doomed,
    );
    await expect(fields.show(doomed, admin)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('exports a requester’s field values with their tickets and erases them with them', async () => {
    const ann = await user('ann@example.com', 'end-user');
    const view = await ticket({
      requesterId: ann.id,
      customFields: [{ id: ids.textarea, value: 'Ann’s home address is 1 Elm St' }],
    });
    await tickets.update(
      view.ticket.id,
      { customFields: [{ id: ids.textarea, value: 'Ann moved to 2 Oak Rd' }] },
      { user: agent, via: 'api' },
    );
    const contributor = app.get(TicketContributor);
    const subject = { userId: String(ann.id), emails: [] };
    const parts = await contributor.exportSubject(subject);
    const exported = parts.find((p) => p.category === 'tickets')?.records[0] as {
      customFields: Array<{ fieldId: number; title: string; value: string }>;
    };
    expect(exported.customFields).toEqual([
      { fieldId: ids.textarea, title: 'Steps', value: 'Ann moved to 2 Oak Rd' },
    ]);
    const results = await contributor.eraseSubject(subject, { label: 'Erased user 1' });
    expect(results).toContainEqual({ category: 'ticket_field_values', deleted: 1, anonymised: 0 });
    expect(valueOf(await tickets.show(view.ticket.id, admin), ids.textarea)).toBeNull();
    const { audits } = await tickets.audits(view.ticket.id, admin, { offset: 0, perPage: 10 });
    const recorded = audits
      .flatMap((a) => a.events)
      .filter((e) => e.fieldName === String(ids.textarea));
    expect(recorded.length).toBe(2);
    for (const event of recorded) expect([event.value, event.previousValue]).toEqual([null, null]);
  });
});
