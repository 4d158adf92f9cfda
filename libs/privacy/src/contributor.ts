/** The person a privacy request is about: a user, or someone known only by addresses. */
export interface DataSubject {
  readonly userId?: string;
  readonly emails: readonly string[];
  readonly names?: readonly string[];
  readonly phones?: readonly string[];
}

/** One category of a subject's data, as one JSON document of the export. */
export interface ExportPart {
  readonly category: string;
  readonly schemaVersion: number;
  readonly records: readonly Record<string, unknown>[];
}

export type ErasureAction = 'delete' | 'anonymise' | 'keep';

export interface ErasurePlanItem {
  readonly category: string;
  readonly action: ErasureAction;
  readonly count: number;
  /** Why data is kept (legal hold, legal obligation), or how it is anonymised. */
  readonly reason?: string;
}

/** The pseudonym that replaces an erased subject in records that must remain. */
export interface Tombstone {
  /** e.g. "Erased user 7f3a9c1e"; the same for every record of one erasure. */
  readonly label: string;
}

export interface ErasureResult {
  readonly category: string;
  readonly deleted: number;
  readonly anonymised: number;
}

/**
 * What every feature that stores personal data implements: find, export and erase what it
 * holds about a data subject. Export, erasure and retention are built from these, so a
 * feature cannot forget a subject. `covers` lists the entities whose personal columns this
 * contributor is answerable for; a test fails on a personal column no contributor covers.
 */
export interface PersonalDataContributor {
  readonly name: string;
  readonly covers: readonly (abstract new (...args: never[]) => unknown)[];
  exportSubject(subject: DataSubject): Promise<ExportPart[]>;
  planErasure(subject: DataSubject): Promise<ErasurePlanItem[]>;
  eraseSubject(subject: DataSubject, tombstone: Tombstone): Promise<ErasureResult[]>;
}
