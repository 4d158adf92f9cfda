import { GroupMembershipService, GroupService, SYSTEM_ACTOR } from '@steward/identity';
import { type Body, type Caller, useApiHarness } from './testing/api-harness';

interface TicketField {
  id: number;
  url: string;
  type: string;
  title: string;
  required: boolean;
  custom_field_options: Array<{ id: number; name: string; value: string; position: number }>;
}

interface FieldValue {
  id: number;
  value: unknown;
}

/** Custom ticket fields through the real server: definitions, ticket values, requests. */
describe('/api/v2/ticket_fields', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let light: Caller;
  let endUser: Caller;
  let itGroup: number;
  const ids: Record<string, number> = {};

  async function createField(body: Body): Promise<TicketField> {
    const res = await call(admin, 'POST', '/api/v2/ticket_fields.json', { ticket_field: body });
    expect(res.status).toBe(201);
    return res.body.ticket_field as TicketField;
  }

  async function newTicket(fields: Body): Promise<Body> {
    const res = await call(agent, 'POST', '/api/v2/tickets.json', {
      ticket: { subject: 'Printer', comment: { body: 'Jammed' }, group_id: itGroup, ...fields },
    });
    expect(res.status).toBe(201);
    return res.body.ticket as Body;
  }

  function valueIn(ticket: Body, id: number): unknown {
    return (ticket.custom_fields as FieldValue[]).find((f) => f.id === id)?.value;
  }

  beforeAll(async () => {
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    light = await caller('light@example.com', 'light-agent');
    endUser = await caller('eve@example.com', 'end-user');
    itGroup = (await api.app.get(GroupService).create({ name: 'IT' }, SYSTEM_ACTOR)).id;
    for (const member of [agent, light]) {
      await api.app
        .get(GroupMembershipService)
        .create({ userId: member.id, groupId: itGroup }, SYSTEM_ACTOR);
    }
    ids.serial = (await createField({ type: 'text', title: 'Serial number', position: 1 })).id;
    ids.pages = (await createField({ type: 'integer', title: 'Pages', position: 2 })).id;
    ids.urgent = (await createField({ type: 'checkbox', title: 'Urgent', tag: 'urgent' })).id;
    ids.model = (
      await createField({
        type: 'tagger',
        title: 'Model',
        position: 3,
        visible_in_portal: true,
        editable_in_portal: true,
        custom_field_options: [
          { name: 'LaserJet', value: 'model_laserjet' },
          { name: 'OfficeJet', value: 'model_officejet' },
        ],
      })
    ).id;
  });

  it('creates and shows a field in the Zendesk shape', async () => {
    const res = await call(admin, 'POST', '/api/v2/ticket_fields.json', {
      ticket_field: {
        type: 'multiselect',
        title: 'Floors',
        description: 'Where it happens',
        custom_field_options: [
          { name: 'Ground', value: 'floor_0' },
          { name: 'First', value: 'floor_1' },
        ],
      },
    });
    expect(res.status).toBe(201);
    const field = res.body.ticket_field as TicketField;
    expect(field).toMatchObject({
      url: `${api.config.publicUrl}/api/v2/ticket_fields/${field.id}.json`,
      type: 'multiselect',
      title: 'Floors',
      raw_title: 'Floors',
      description: 'Where it happens',
      active: true,
      required: false,
      required_in_portal: false,
      visible_in_portal: false,
      editable_in_portal: false,
      regexp_for_validation: null,
      custom_field_options: [
        { name: 'Ground', value: 'floor_0', position: 0 },
        { name: 'First', value: 'floor_1', position: 1 },
      ],
    });
    expect(typeof field.custom_field_options[0].id).toBe('number');
    expect(res.body.ticket_field).toHaveProperty('created_at');
    const shown = await call(light, 'GET', `/api/v2/ticket_fields/${field.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.ticket_field).toEqual(field);
    const listed = await call(light, 'GET', '/api/v2/ticket_fields.json');
    expect(listed.status).toBe(200);
    expect((listed.body.ticket_fields as TicketField[]).map((f) => f.id)).toContain(field.id);
    expect(listed.body.count).toBe((listed.body.ticket_fields as TicketField[]).length);
  });

  it('keeps option ids when options are sent back with them', async () => {
    const field = await createField({
      type: 'tagger',
      title: 'Site',
      custom_field_options: [
        { name: 'Paris', value: 'site_paris' },
        { name: 'Lyon', value: 'site_lyon' },
      ],
    });
    const [paris] = field.custom_field_options;
    const res = await call(admin, 'PUT', `/api/v2/ticket_fields/${field.id}.json`, {
      ticket_field: {
        custom_field_options: [
          { id: paris.id, name: 'Paris HQ', value: 'site_paris' },
          { name: 'Nantes', value: 'site_nantes' },
        ],
      },
    });
    expect(res.status).toBe(200);
    const options = (res.body.ticket_field as TicketField).custom_field_options;
    expect(options.map((o) => [o.name, o.value])).toEqual([
      ['Paris HQ', 'site_paris'],
      ['Nantes', 'site_nantes'],
    ]);
    expect(options[0].id).toBe(paris.id);
  });

  it('lets only admins change fields; end-users do not see them', async () => {
    const body = { ticket_field: { type: 'text', title: 'Agent field' } };
    expect((await call(agent, 'POST', '/api/v2/ticket_fields.json', body)).status).toBe(403);
    expect((await call(light, 'POST', '/api/v2/ticket_fields.json', body)).status).toBe(403);
    const put = { ticket_field: { title: 'Renamed' } };
    expect((await call(agent, 'PUT', `/api/v2/ticket_fields/${ids.pages}.json`, put)).status).toBe(
      403,
    );
    expect((await call(agent, 'DELETE', `/api/v2/ticket_fields/${ids.pages}.json`)).status).toBe(
      403,
    );
    expect((await call(endUser, 'GET', '/api/v2/ticket_fields.json')).status).toBe(403);
    expect((await call(admin, 'GET', '/api/v2/ticket_fields/999999.json')).status).toBe(404);
    expect((await call(admin, 'GET', '/api/v2/ticket_fields/abc.json')).status).toBe(404);
  });

  it.each<[string, unknown]>([
    ['no envelope', { type: 'text', title: 'X' }],
    ['an unknown type', { ticket_field: { type: 'lookup', title: 'X' } }],
    ['a title that is not a string', { ticket_field: { type: 'text', title: 42 } }],
    ['a boolean that is not one', { ticket_field: { type: 'text', title: 'X', active: 'yes' } }],
    ['a position that is not whole', { ticket_field: { type: 'text', title: 'X', position: 1.5 } }],
    [
      'a malformed pattern',
      { ticket_field: { type: 'regexp', title: 'X', regexp_for_validation: '(unclosed' } },
    ],
    [
      'a huge pattern',
      { ticket_field: { type: 'regexp', title: 'X', regexp_for_validation: 'a'.repeat(5000) } },
    ],
    ['a drop-down without options', { ticket_field: { type: 'tagger', title: 'X' } }],
    [
      'options that are not a list',
      { ticket_field: { type: 'tagger', title: 'X', custom_field_options: 'a,b' } },
    ],
    [
      'an option without a value',
      { ticket_field: { type: 'tagger', title: 'X', custom_field_options: [{ name: 'A' }] } },
    ],
    ['a huge title', { ticket_field: { type: 'text', title: 'x'.repeat(10_000) } }],
  ])('refuses a field with %s (422)', async (_label, body) => {
    const res = await call(admin, 'POST', '/api/v2/ticket_fields.json', body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'RecordInvalid' });
  });

  it('refuses to change a field’s type (422)', async () => {
    const res = await call(admin, 'PUT', `/api/v2/ticket_fields/${ids.serial}.json`, {
      ticket_field: { type: 'integer' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      details: { type: [{ description: 'cannot change once the field is created' }] },
    });
  });

  it('sets values through custom_fields or fields, and shows both lists', async () => {
    const created = await newTicket({
      custom_fields: [
        { id: ids.serial, value: 'SN-1' },
        { id: String(ids.pages), value: '12' },
      ],
    });
    expect(valueIn(created, ids.serial)).toBe('SN-1');
    expect(valueIn(created, ids.pages)).toBe(12);
    expect(valueIn(created, ids.urgent)).toBe(false);
    expect(created.fields).toEqual(created.custom_fields);
    const res = await call(agent, 'PUT', `/api/v2/tickets/${Number(created.id)}.json`, {
      ticket: { fields: [{ id: ids.urgent, value: true }] },
    });
    expect(res.status).toBe(200);
    const ticket = res.body.ticket as Body;
    expect(valueIn(ticket, ids.urgent)).toBe(true);
    expect(ticket.tags).toEqual(['urgent']);
    const audits = await call(agent, 'GET', `/api/v2/tickets/${Number(created.id)}/audits.json`);
    const events = (audits.body.audits as Array<{ events: Body[] }>)[1].events;
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Change',
        field_name: String(ids.urgent),
        value: true,
        previous_value: false,
      }),
    );
    const listed = await call(light, 'GET', '/api/v2/tickets.json');
    const mine = (listed.body.tickets as Body[]).find((t) => t.id === created.id) as Body;
    expect(valueIn(mine, ids.serial)).toBe('SN-1');
  });

  it.each<[string, (ids: Record<string, number>) => unknown]>([
    ['custom_fields that are not a list', () => 'SN-1'],
    ['an entry that is not an object', (f) => [f.serial]],
    ['an id that is not one', () => [{ id: 'abc', value: 'x' }]],
    ['an unknown field id', () => [{ id: 999_999, value: 'x' }]],
    ['a text value that is a number', (f) => [{ id: f.serial, value: 7 }]],
    ['an integer that is not whole', (f) => [{ id: f.pages, value: 2.5 }]],
    ['a checkbox that is a string', (f) => [{ id: f.urgent, value: 'true' }]],
    ['a drop-down value not among its options', (f) => [{ id: f.model, value: 'model_x' }]],
    ['a huge text value', (f) => [{ id: f.serial, value: 'x'.repeat(100_000) }]],
    ['a nested object as a value', (f) => [{ id: f.serial, value: { a: { b: 1 } } }]],
  ])('refuses a ticket with %s (422, never 500)', async (_label, make) => {
    const res = await call(agent, 'POST', '/api/v2/tickets.json', {
      ticket: { subject: 'Bad', comment: { body: 'x' }, custom_fields: make(ids) },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'RecordInvalid' });
  });

  it('refuses to solve a ticket with an empty required field, naming it', async () => {
    const required = await createField({ type: 'text', title: 'Resolution code', required: true });
    try {
      const ticket = await newTicket({ assignee_id: agent.id });
      const path = `/api/v2/tickets/${Number(ticket.id)}.json`;
      const refused = await call(agent, 'PUT', path, { ticket: { status: 'solved' } });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        details: {
          [`custom_fields.${required.id}`]: [
            { description: 'Resolution code is required to solve the ticket' },
          ],
        },
      });
      const solved = await call(agent, 'PUT', path, {
        ticket: { status: 'solved', custom_fields: [{ id: required.id, value: 'R42' }] },
      });
      expect(solved.status).toBe(200);
      expect((solved.body.ticket as Body).status).toBe('solved');
    } finally {
      await call(admin, 'DELETE', `/api/v2/ticket_fields/${required.id}.json`);
    }
  });

  it('shows requesters only the fields visible in the help center, and takes only editable ones', async () => {
    const res = await call(endUser, 'POST', '/api/v2/requests.json', {
      request: {
        subject: 'Printer',
        comment: { body: 'Jammed again' },
        custom_fields: [{ id: ids.model, value: 'model_laserjet' }],
      },
    });
    expect(res.status).toBe(201);
    const request = res.body.request as Body;
    expect(request.custom_fields).toEqual([{ id: ids.model, value: 'model_laserjet' }]);
    const shown = await call(endUser, 'GET', `/api/v2/requests/${Number(request.id)}.json`);
    expect((shown.body.request as Body).custom_fields).toEqual([
      { id: ids.model, value: 'model_laserjet' },
    ]);
    const refused = await call(endUser, 'POST', '/api/v2/requests.json', {
      request: {
        subject: 'Printer',
        comment: { body: 'Jammed again' },
        custom_fields: [{ id: ids.serial, value: 'SN-9' }],
      },
    });
    expect(refused.status).toBe(422);
  });

  it('deletes a field and its values', async () => {
    const field = await createField({ type: 'text', title: 'Temporary' });
    const ticket = await newTicket({ custom_fields: [{ id: field.id, value: 'soon gone' }] });
    const res = await call(admin, 'DELETE', `/api/v2/ticket_fields/${field.id}.json`);
    expect(res.status).toBe(204);
    expect((await call(admin, 'GET', `/api/v2/ticket_fields/${field.id}.json`)).status).toBe(404);
    const shown = await call(agent, 'GET', `/api/v2/tickets/${Number(ticket.id)}.json`);
    expect(valueIn(shown.body.ticket as Body, field.id)).toBeUndefined();
  });
});
