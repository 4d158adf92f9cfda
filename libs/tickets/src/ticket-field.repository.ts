import { Injectable } from '@nestjs/common';
import { Database } from '@steward/persistence';
import { In } from 'typeorm';
import { TicketAuditEntity, TicketAuditEventEntity } from './ticket-audit.entity';
import {
  CustomFieldOptionEntity,
  TicketFieldEntity,
  TicketFieldValueEntity,
} from './ticket-field.entity';

export type TicketFieldRow = Omit<TicketFieldEntity, 'id'>;
export type OptionRow = Omit<CustomFieldOptionEntity, 'id' | 'fieldId'> & { id?: number };

/** Custom ticket fields, their options, and the tickets' values. */
@Injectable()
export class TicketFieldRepository {
  constructor(private readonly db: Database) {}

  /** Every field (or the active ones), by position then id. */
  list(options: { activeOnly: boolean }): Promise<TicketFieldEntity[]> {
    return this.db.run((m) =>
      m.find(TicketFieldEntity, {
        where: options.activeOnly ? { active: true } : {},
        order: { position: 'ASC', id: 'ASC' },
      }),
    );
  }

  findById(id: number): Promise<TicketFieldEntity | null> {
    return this.db.run((m) => m.findOneBy(TicketFieldEntity, { id }));
  }

  findByIds(ids: readonly number[]): Promise<TicketFieldEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.run((m) => m.find(TicketFieldEntity, { where: { id: In([...ids]) } }));
  }

  /** The options of these fields, by position then id. */
  optionsOf(fieldIds: readonly number[]): Promise<CustomFieldOptionEntity[]> {
    if (fieldIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(CustomFieldOptionEntity, {
        where: { fieldId: In([...fieldIds]) },
        order: { fieldId: 'ASC', position: 'ASC', id: 'ASC' },
      }),
    );
  }

  insert(row: TicketFieldRow): Promise<TicketFieldEntity> {
    return this.db.run((m) => m.save(m.create(TicketFieldEntity, row)));
  }

  async update(id: number, changes: Partial<TicketFieldRow>): Promise<void> {
    await this.db.run((m) => m.update(TicketFieldEntity, { id }, changes));
  }

  /** Deletes the field with its options and every ticket's value of it. */
  async delete(id: number): Promise<void> {
    await this.db.run(async (m) => {
      await m.delete(TicketFieldValueEntity, { fieldId: id });
      await m.delete(CustomFieldOptionEntity, { fieldId: id });
      await m.delete(TicketFieldEntity, { id });
    });
  }

  /**
   * Makes the field's options these: an option sent with the id of one of the field's options
   * keeps that id, the others are new; options not sent are deleted.
   */
  async replaceOptions(fieldId: number, options: readonly OptionRow[]): Promise<void> {
    await this.db.run(async (m) => {
      const current = await m.find(CustomFieldOptionEntity, { where: { fieldId } });
      const kept = new Set<number>();
      for (const option of options) {
        const existing = current.find((c) => c.id === option.id);
        const row = { name: option.name, value: option.value, position: option.position };
        if (existing) {
          kept.add(existing.id);
          await m.update(CustomFieldOptionEntity, { id: existing.id }, row);
        } else {
          await m.insert(CustomFieldOptionEntity, { ...row, fieldId });
        }
      }
      const gone = current.filter((c) => !kept.has(c.id)).map((c) => c.id);
      if (gone.length > 0) await m.delete(CustomFieldOptionEntity, { id: In(gone) });
    });
  }

  /** The values of these tickets, in one query. */
  valuesOf(ticketIds: readonly number[]): Promise<TicketFieldValueEntity[]> {
    if (ticketIds.length === 0) return Promise.resolve([]);
    return this.db.run((m) =>
      m.find(TicketFieldValueEntity, {
        where: { ticketId: In([...ticketIds]) },
        order: { ticketId: 'ASC', fieldId: 'ASC' },
      }),
    );
  }

  /** Sets (or with null, removes) a ticket's value of a field. */
  async setValue(ticketId: number, fieldId: number, value: string | null): Promise<void> {
    await this.db.run(async (m) => {
      await m.delete(TicketFieldValueEntity, { ticketId, fieldId });
      if (value !== null) await m.insert(TicketFieldValueEntity, { ticketId, fieldId, value });
    });
  }

  /** Removes every value of these tickets (an erasure); returns how many. */
  async deleteValuesOf(ticketIds: readonly number[]): Promise<number> {
    if (ticketIds.length === 0) return 0;
    const result = await this.db.run((m) =>
      m.delete(TicketFieldValueEntity, { ticketId: In([...ticketIds]) }),
    );
    return result.affected ?? 0;
  }

  /**
   * Forgets the values recorded in these tickets' audits for custom fields (events named by a
   * field id: digits, where Zendesk's own field names are words).
   */
  async blankValueEventsOf(ticketIds: readonly number[]): Promise<void> {
    if (ticketIds.length === 0) return;
    await this.db.run(async (m) => {
      const audits = await m.find(TicketAuditEntity, {
        select: { id: true },
        where: { ticketId: In([...ticketIds]) },
      });
      if (audits.length === 0) return;
      await m
        .createQueryBuilder()
        .update(TicketAuditEventEntity)
        .set({ value: null, previousValue: null })
        .where('audit_id IN (:...auditIds)', { auditIds: audits.map((a) => a.id) })
        .andWhere("SUBSTR(field_name, 1, 1) BETWEEN '0' AND '9'")
        .execute();
    });
  }
}
