import { NotPersonal, Personal } from '@steward/persistence';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A customer company or site; end-users belong to at most one (`users.organization_id`). */
@Entity('organizations')
export class OrganizationEntity {
  @NotPersonal()
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @NotPersonal('the name of a company or site, organisation data')
  @Index('uq_organizations_name', { unique: true })
  @Column({ type: 'varchar', length: 255 })
  name!: string;

  /** Free text an agent writes (an address, a contact): it may name people. */
  @Personal('content')
  @Column({ type: 'text', nullable: true })
  details!: string | null;

  @Personal('content')
  @Column({ type: 'text', nullable: true })
  notes!: string | null;

  @NotPersonal('the id of the organization in another system')
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId!: string | null;

  @NotPersonal()
  @Column({ name: 'shared_tickets', type: 'boolean', default: false })
  sharedTickets!: boolean;

  @NotPersonal()
  @Column({ name: 'shared_comments', type: 'boolean', default: false })
  sharedComments!: boolean;

  @NotPersonal()
  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @NotPersonal()
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
