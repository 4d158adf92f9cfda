import { NotPersonal } from '@steward/persistence';
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { OrganizationEntity } from './organization.entity';

/** An email domain of an organization: new end-users with an address there join it. */
@Entity('organization_domains')
export class OrganizationDomainEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal()
  @Index('idx_organization_domains_organization_id')
  @Column({ name: 'organization_id', type: 'integer' })
  organizationId!: number;

  @ManyToOne(() => OrganizationEntity, {
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
    nullable: false,
  })
  @JoinColumn({
    name: 'organization_id',
    foreignKeyConstraintName: 'fk_organization_domains_organization_id',
  })
  organization?: OrganizationEntity;

  /** Lower case, without a leading `@`; one organization per domain. */
  @NotPersonal('a company email domain, not a mailbox')
  @Index('uq_organization_domains_domain', { unique: true })
  @Column({ type: 'varchar', length: 253 })
  domain!: string;
}
