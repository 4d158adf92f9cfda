import { Injectable } from '@nestjs/common';
import { AuditLog } from '@steward/audit';
import { Database } from '@steward/persistence';
import { Clock, optionalLine, optionalText, requiredLine } from '@steward/platform';
import type { AuditActor } from './api-token.service';
import type { OrganizationEntity } from './organization.entity';
import { OrganizationError } from './organization.errors';
import { OrganizationRepository, type OrganizationRow } from './organization.repository';

export const MAX_ORGANIZATION_NAME_LENGTH = 255;
export const MAX_ORGANIZATION_TEXT_LENGTH = 10_000;
export const MAX_EXTERNAL_ID_LENGTH = 255;
export const MAX_DOMAIN_NAMES = 100;
/** The audit action of every change to an organization (details say which). */
export const ORGANIZATION_CHANGED = 'organization.changed';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`);

/** What a client may set; on update, an absent field stays as it is. */
export interface OrganizationInput {
  readonly name?: string;
  readonly details?: string | null;
  readonly notes?: string | null;
  readonly externalId?: string | null;
  readonly sharedTickets?: boolean;
  readonly sharedComments?: boolean;
  readonly domainNames?: readonly string[];
}

/** An organization with its email domains. */
export interface Organization {
  readonly organization: OrganizationEntity;
  readonly domainNames: readonly string[];
}

/** Which rows of a list: skip `offset`, take `perPage`. */
export interface PageWindow {
  readonly offset: number;
  readonly perPage: number;
}

export interface OrganizationPage {
  readonly organizations: readonly Organization[];
  readonly count: number;
}

/** The domain of an email address, lower case; undefined when there is none. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 0) return undefined;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return domain.length > 0 ? domain : undefined;
}

/** Organizations (customer companies) and the email domains that attach end-users to them. */
@Injectable()
export class OrganizationService {
  constructor(
    private readonly organizations: OrganizationRepository,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
  ) {}

  async list({ offset, perPage }: PageWindow): Promise<OrganizationPage> {
    const [rows, count] = await this.organizations.page(offset, perPage);
    return { organizations: await this.withDomains(rows), count };
  }

  async show(id: number): Promise<Organization> {
    const row = await this.organizations.findById(id);
    if (!row) throw OrganizationError.notFound();
    const [found] = await this.withDomains([row]);
    return found;
  }

  async create(input: OrganizationInput, actor: AuditActor): Promise<Organization> {
    if (input.name === undefined) throw OrganizationError.invalid('name', 'cannot be blank');
    const name = checkName(input.name);
    const domains = checkDomains(input.domainNames ?? []);
    const now = this.clock.now();
    const id = await this.db.transaction(async () => {
      await this.checkNameFree(name, undefined);
      await this.checkDomainsFree(domains, undefined);
      const row = await this.organizations.insert({
        name,
        details: checkText('details', input.details ?? null),
        notes: checkText('notes', input.notes ?? null),
        externalId: checkExternalId(input.externalId ?? null),
        sharedTickets: input.sharedTickets ?? false,
        sharedComments: input.sharedComments ?? false,
        createdAt: now,
        updatedAt: now,
      });
      await this.organizations.setDomains(row.id, domains);
      await this.record(actor, row.id, { change: 'created', name });
      return row.id;
    });
    return this.show(id);
  }

  async update(id: number, input: OrganizationInput, actor: AuditActor): Promise<Organization> {
    const changes: { -readonly [K in keyof OrganizationRow]?: OrganizationRow[K] } = {};
    if (input.name !== undefined) changes.name = checkName(input.name);
    if (input.details !== undefined) changes.details = checkText('details', input.details);
    if (input.notes !== undefined) changes.notes = checkText('notes', input.notes);
    if (input.externalId !== undefined) changes.externalId = checkExternalId(input.externalId);
    if (input.sharedTickets !== undefined) changes.sharedTickets = input.sharedTickets;
    if (input.sharedComments !== undefined) changes.sharedComments = input.sharedComments;
    const domains = input.domainNames === undefined ? undefined : checkDomains(input.domainNames);
    await this.db.transaction(async () => {
      const row = await this.organizations.findById(id);
      if (!row) throw OrganizationError.notFound();
      if (changes.name !== undefined) await this.checkNameFree(changes.name, id);
      if (domains !== undefined) {
        await this.checkDomainsFree(domains, id);
        await this.organizations.setDomains(id, domains);
      }
      await this.organizations.update(id, { ...changes, updatedAt: this.clock.now() });
      const fields = Object.keys(changes);
      if (domains !== undefined) fields.push('domainNames');
      await this.record(actor, id, { change: 'updated', name: changes.name ?? row.name, fields });
    });
    return this.show(id);
  }

  /** Deletes the organization; its users stay, without an organization. */
  async delete(id: number, actor: AuditActor): Promise<void> {
    await this.db.transaction(async () => {
      const row = await this.organizations.findById(id);
      if (!row) throw OrganizationError.notFound();
      await this.organizations.delete(id);
      await this.record(actor, id, { change: 'deleted', name: row.name });
    });
  }

  /** The organization a new end-user with this address joins, by its domain; or undefined. */
  async organizationForEmail(email: string): Promise<OrganizationEntity | undefined> {
    const id = await this.organizations.idForDomain(emailDomain(email));
    return id === null ? undefined : ((await this.organizations.findById(id)) ?? undefined);
  }

  private async withDomains(rows: readonly OrganizationEntity[]): Promise<Organization[]> {
    const domains = await this.organizations.domainsOf(rows.map((row) => row.id));
    return rows.map((organization) => ({
      organization,
      domainNames: domains.filter((d) => d.organizationId === organization.id).map((d) => d.domain),
    }));
  }

  private async checkNameFree(name: string, self: number | undefined): Promise<void> {
    const taken = await this.organizations.findByNameIgnoringCase(name);
    if (taken && taken.id !== self)
      throw OrganizationError.invalid('name', 'has already been taken');
  }

  private async checkDomainsFree(
    domains: readonly string[],
    self: number | undefined,
  ): Promise<void> {
    const taken = (await this.organizations.findDomains(domains)).filter(
      (d) => d.organizationId !== self,
    );
    if (taken.length > 0) {
      const names = taken.map((d) => d.domain).join(', ');
      throw OrganizationError.invalid('domain_names', `${names} belongs to another organization`);
    }
  }

  private async record(
    actor: AuditActor,
    id: number,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record({
      ...actor,
      action: ORGANIZATION_CHANGED,
      targetType: 'organization',
      targetId: id,
      details,
    });
  }
}

function checkName(raw: string): string {
  return requiredLine(raw, MAX_ORGANIZATION_NAME_LENGTH, (problem) =>
    OrganizationError.invalid('name', problem),
  );
}

function checkText(field: 'details' | 'notes', raw: string | null): string | null {
  return optionalText(raw, MAX_ORGANIZATION_TEXT_LENGTH, (problem) =>
    OrganizationError.invalid(field, problem),
  );
}

function checkExternalId(raw: string | null): string | null {
  return optionalLine(raw, MAX_EXTERNAL_ID_LENGTH, (problem) =>
    OrganizationError.invalid('external_id', problem),
  );
}

/** Lower-cased, without a leading `@`, each once; refuses anything that is not a domain. */
export function checkDomains(raw: readonly string[]): string[] {
  if (raw.length > MAX_DOMAIN_NAMES) {
    throw OrganizationError.invalid('domain_names', `must be at most ${MAX_DOMAIN_NAMES} domains`);
  }
  const domains = new Set<string>();
  for (const entry of raw) {
    const domain = entry.trim().toLowerCase().replace(/^@/, '');
    if (!DOMAIN.test(domain)) {
      throw OrganizationError.invalid(
        'domain_names',
        `${JSON.stringify(entry.slice(0, 64))} is not a domain name`,
      );
    }
    domains.add(domain);
  }
  return [...domains].sort();
}
