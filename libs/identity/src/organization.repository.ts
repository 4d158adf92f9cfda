import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In } from 'typeorm';
import { OrganizationDomainEntity } from './organization-domain.entity';
import { OrganizationEntity } from './organization.entity';
import { UserEntity } from './user.entity';

export type OrganizationRow = Omit<OrganizationEntity, 'id'>;

@Injectable()
export class OrganizationRepository {
  constructor(private readonly db: Database) {}

  findById(id: number): Promise<OrganizationEntity | null> {
    return this.db.run((m) => m.findOneBy(OrganizationEntity, { id }));
  }

  /** Names compare without case on every database (MariaDB's collation does so too). */
  findByNameIgnoringCase(name: string): Promise<OrganizationEntity | null> {
    return this.db.run((m) =>
      m
        .createQueryBuilder(OrganizationEntity, 'o')
        .where('LOWER(o.name) = :name', { name: name.toLowerCase() })
        .getOne(),
    );
  }

  findByIds(ids: readonly number[]): Promise<OrganizationEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.run((m) => m.findBy(OrganizationEntity, { id: In([...ids]) }));
  }

  /** One page in id order, and how many there are in all. */
  page(offset: number, limit: number): Promise<[OrganizationEntity[], number]> {
    return this.db.run((m) =>
      m.findAndCount(OrganizationEntity, { order: { id: 'ASC' }, skip: offset, take: limit }),
    );
  }

  insert(row: OrganizationRow): Promise<OrganizationEntity> {
    return this.db.run((m) => m.save(m.create(OrganizationEntity, row)));
  }

  async update(id: number, changes: Partial<OrganizationRow>): Promise<void> {
    await this.db.run((m) => m.update(OrganizationEntity, { id }, changes));
  }

  /** Deletes the organization and its domains; its users keep no organization. */
  async delete(id: number): Promise<void> {
    await this.db.run(async (m) => {
      await m.update(UserEntity, { organizationId: id }, { organizationId: null });
      await m.delete(OrganizationDomainEntity, { organizationId: id });
      await m.delete(OrganizationEntity, { id });
    });
  }

  domainsOf(organizationIds: readonly number[]): Promise<OrganizationDomainEntity[]> {
    if (organizationIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(OrganizationDomainEntity, {
        where: { organizationId: In([...organizationIds]) },
        order: { domain: 'ASC' },
      }),
    );
  }

  findDomains(domains: readonly string[]): Promise<OrganizationDomainEntity[]> {
    if (domains.length === 0) return Promise.resolve([]);
    return this.db.run((m) => m.findBy(OrganizationDomainEntity, { domain: In([...domains]) }));
  }

  /** The id of the organization that lists this email domain, or null. */
  async idForDomain(domain: string | undefined): Promise<number | null> {
    if (domain === undefined) return null;
    const row = await this.db.run((m) => m.findOneBy(OrganizationDomainEntity, { domain }));
    return row?.organizationId ?? null;
  }

  /** Replaces the organization's domains with these. */
  async setDomains(organizationId: number, domains: readonly string[]): Promise<void> {
    await this.db.run(async (m) => {
      await m.delete(OrganizationDomainEntity, { organizationId });
      for (const domain of domains) {
        await m.insert(OrganizationDomainEntity, { organizationId, domain });
      }
    });
  }

  /** Organizations whose details or notes contain one of these strings (any case). */
  findMentioning(terms: readonly string[]): Promise<OrganizationEntity[]> {
    if (terms.length === 0) return Promise.resolve([]);
    return this.db.run((m) => {
      const query = m.createQueryBuilder(OrganizationEntity, 'o');
      terms.forEach((term, i) => {
        const pattern = `%${term.toLowerCase().replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
        query.orWhere(
          `(LOWER(o.details) LIKE :t${i} ESCAPE '!' OR LOWER(o.notes) LIKE :t${i} ESCAPE '!')`,
          { [`t${i}`]: pattern },
        );
      });
      return query.orderBy('o.id', 'ASC').getMany();
    });
  }
}
