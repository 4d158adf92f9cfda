import { AuditLog } from '@steward/audit';
import { OrganizationService, UserEntity } from '@steward/identity';

import { DataSource } from 'typeorm';
import { type Caller, useApiHarness } from './testing/api-harness';

const ORGANIZATION_FIELDS = [
  'created_at',
  'details',
  'domain_names',
  'external_id',
  'group_id',
  'id',
  'name',
  'notes',
  'organization_fields',
  'shared_comments',
  'shared_tickets',
  'tags',
  'updated_at',
  'url',
];

describe('/api/v2/organizations', () => {
  const api = useApiHarness();
  const { caller, call } = api;
  let admin: Caller;
  let agent: Caller;
  let endUser: Caller;

  async function organization(name: string, extra: Record<string, unknown> = {}): Promise<number> {
    const res = await call(admin, 'POST', '/api/v2/organizations.json', {
      organization: { name, ...extra },
    });
    expect(res.status).toBe(201);
    return (res.body.organization as { id: number }).id;
  }

  beforeEach(async () => {
    await api.reset();
    admin = await caller('admin@example.com', 'admin');
    agent = await caller('agent@example.com', 'agent');
    endUser = await caller('eve@example.com', 'end-user');
  });

  it('creates an organization with its domains and answers in the Zendesk shape', async () => {
    const res = await call(admin, 'POST', '/api/v2/organizations', {
      organization: {
        name: 'Acme',
        details: 'Main street 1',
        notes: 'Key account',
        external_id: 'crm-42',
        shared_tickets: true,
        domain_names: ['Acme.example', '@sub.acme.example', 'acme.example'],
      },
    });
    expect(res.status).toBe(201);
    const created = res.body.organization as Record<string, unknown>;
    expect(Object.keys(created).sort()).toEqual(ORGANIZATION_FIELDS);
    expect(created).toMatchObject({
      name: 'Acme',
      details: 'Main street 1',
      notes: 'Key account',
      external_id: 'crm-42',
      shared_tickets: true,
      shared_comments: false,
      domain_names: ['acme.example', 'sub.acme.example'],
      tags: [],
      url: `${api.config.publicUrl}/api/v2/organizations/${String(created.id)}.json`,
    });
    for (const path of [
      `/api/v2/organizations/${String(created.id)}.json`,
      `/api/v2/organizations/${String(created.id)}`,
    ]) {
      expect((await call(agent, 'GET', path)).body).toEqual({ organization: created });
    }
  });

  it('lets an agent read but not write, and an end user neither', async () => {
    const id = await organization('Acme');
    expect((await call(agent, 'GET', '/api/v2/organizations.json')).status).toBe(200);
    expect((await call(agent, 'GET', `/api/v2/organizations/${id}`)).status).toBe(200);
    const write = { organization: { name: 'X' } };
    expect((await call(agent, 'POST', '/api/v2/organizations.json', write)).status).toBe(403);
    expect((await call(agent, 'PUT', `/api/v2/organizations/${id}.json`, write)).status).toBe(403);
    expect((await call(agent, 'DELETE', `/api/v2/organizations/${id}.json`)).status).toBe(403);
    expect((await call(endUser, 'GET', '/api/v2/organizations.json')).status).toBe(403);
    expect((await call(endUser, 'GET', `/api/v2/organizations/${id}.json`)).status).toBe(403);
  });

  it('updates only the fields sent, and replaces the domains when they are sent', async () => {
    const id = await organization('Acme', { notes: 'keep', domain_names: ['acme.example'] });
    const res = await call(admin, 'PUT', `/api/v2/organizations/${id}.json`, {
      organization: { name: 'Acme Ltd', domain_names: ['acme.test'] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      organization: { name: 'Acme Ltd', notes: 'keep', domain_names: ['acme.test'] },
    });
  });

  it('pages with page and per_page', async () => {
    for (const name of ['A', 'B', 'C']) await organization(name);
    const res = await call(agent, 'GET', '/api/v2/organizations.json?page=2&per_page=2');
    expect((res.body.organizations as { name: string }[]).map((o) => o.name)).toEqual(['C']);
    expect(res.body).toMatchObject({
      count: 3,
      next_page: null,
      previous_page: `${api.config.publicUrl}/api/v2/organizations.json?page=1&per_page=2`,
    });
  });

  it.each<[string, unknown, string]>([
    ['no envelope', { name: 'Acme' }, 'organization'],
    ['no name', { organization: { notes: 'x' } }, 'name'],
    ['a name over 255 characters', { organization: { name: 'x'.repeat(256) } }, 'name'],
    ['a name under __proto__ only', '{"organization": {"__proto__": {"name": "A"}}}', 'name'],
    [
      'domains that are not a list',
      { organization: { name: 'A', domain_names: 'a.example' } },
      'domain_names',
    ],
    [
      'a domain that is not one',
      { organization: { name: 'A', domain_names: ['not a domain'] } },
      'domain_names',
    ],
    [
      'an email address as a domain',
      { organization: { name: 'A', domain_names: ['x@a.example'] } },
      'domain_names',
    ],
    [
      'shared_tickets that is not a boolean',
      { organization: { name: 'A', shared_tickets: 1 } },
      'shared_tickets',
    ],
  ])('answers 422 RecordInvalid for %s', async (_case, body, field) => {
    const res = await call(admin, 'POST', '/api/v2/organizations.json', body);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { [field]: [{}] },
    });
  });

  it('refuses a duplicate name and a domain of another organization', async () => {
    await organization('Acme', { domain_names: ['acme.example'] });
    const name = await call(admin, 'POST', '/api/v2/organizations.json', {
      organization: { name: 'ACME' },
    });
    expect(name.status).toBe(422);
    expect(name.body).toMatchObject({
      details: { name: [{ description: 'has already been taken' }] },
    });
    const domain = await call(admin, 'POST', '/api/v2/organizations.json', {
      organization: { name: 'Other', domain_names: ['ACME.example'] },
    });
    expect(domain.status).toBe(422);
    expect(domain.body).toMatchObject({ details: { domain_names: [{}] } });
  });

  it('deletes an organization (204); its users stay, without it', async () => {
    const id = await organization('Acme');
    await api.app
      .get(DataSource)
      .getRepository(UserEntity)
      .update({ id: endUser.id }, { organizationId: id });
    expect((await call(admin, 'DELETE', `/api/v2/organizations/${id}.json`)).status).toBe(204);
    expect((await call(agent, 'GET', `/api/v2/organizations/${id}.json`)).status).toBe(404);
    const user = await api.app
      .get(DataSource)
      .getRepository(UserEntity)
      .findOneByOrFail({ id: endUser.id });
    expect(user.organizationId).toBeNull();
    expect((await call(admin, 'DELETE', `/api/v2/organizations/${id}.json`)).status).toBe(404);
  });

  it.each(['999999', 'abc'])('answers 404 RecordNotFound for organization id %s', async (id) => {
    const res = await call(agent, 'GET', `/api/v2/organizations/${id}.json`);
    expect(res).toMatchObject({ status: 404, body: { error: 'RecordNotFound' } });
    const put = await call(admin, 'PUT', `/api/v2/organizations/${id}.json`, {
      organization: { name: 'X' },
    });
    expect(put.status).toBe(404);
  });

  it('records organization.changed with the acting admin, without the notes', async () => {
    const id = await organization('Acme', { notes: 'call ann@example.com' });
    await call(admin, 'PUT', `/api/v2/organizations/${id}.json`, { organization: { notes: 'x' } });
    await call(admin, 'DELETE', `/api/v2/organizations/${id}.json`);
    const { entries } = await api.app
      .get(AuditLog)
      .query({ targetType: 'organization', targetId: String(id) });
    expect(entries.map((e) => [e.action, e.actorId, e.details?.change])).toEqual([
      ['organization.changed', String(admin.id), 'deleted'],
      ['organization.changed', String(admin.id), 'updated'],
      ['organization.changed', String(admin.id), 'created'],
    ]);
    expect(JSON.stringify(entries)).not.toContain('ann@example.com');
  });

  it('finds the organization of an email address by its domain', async () => {
    const id = await organization('Acme', { domain_names: ['acme.example'] });
    const organizations = api.app.get(OrganizationService);
    expect((await organizations.organizationForEmail('Bob@ACME.example'))?.id).toBe(id);
    expect(await organizations.organizationForEmail('bob@sub.acme.example')).toBeUndefined();
  });
});
