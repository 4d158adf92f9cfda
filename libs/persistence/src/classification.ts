import type { ClassType } from './data-source';
/**
 * Every column of every entity says whether it holds personal data, and of which kind.
 * The privacy features (export, erasure, retention, the erasure scan) are built on these
 * classifications, and a test fails on any column that has none.
 */
export type PersonalDataKind =
  | 'identifier' // names, email addresses, user names, external ids that point at a person
  | 'contact' // phone numbers, postal addresses, other ways to reach a person
  | 'content' // what a person wrote or sent: ticket text, mail bodies, attachments
  | 'credential' // password hashes, token hashes, second-factor secrets
  | 'network' // IP addresses, user agents, device data
  | 'special_category'; // GDPR Art. 9: health, beliefs, union membership …

export type Classification =
  | { readonly personal: false; readonly reason?: string }
  | { readonly personal: true; readonly kind: PersonalDataKind };

const registry = new WeakMap<object, Map<string, Classification>>();

function classify(classification: Classification): PropertyDecorator {
  return (target, property) => {
    if (typeof property !== 'string')
      throw new Error('classified properties must have string names');
    let columns = registry.get(target);
    if (!columns) {
      columns = new Map();
      registry.set(target, columns);
    }
    columns.set(property, classification);
  };
}

/** The column holds personal data of the given kind. */
export function Personal(kind: PersonalDataKind): PropertyDecorator {
  return classify({ personal: true, kind });
}

/** The column holds no personal data (ids, states, counters, timestamps of system events). */
export function NotPersonal(reason?: string): PropertyDecorator {
  return classify({ personal: false, reason });
}

/** The classification of an entity property, looked up along the class hierarchy. */
export function classificationOf(entity: ClassType, property: string): Classification | undefined {
  for (
    let proto: object | null = entity.prototype as object;
    proto;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const found = registry.get(proto)?.get(property);
    if (found) return found;
  }
  return undefined;
}

export interface ColumnRef {
  readonly entity: ClassType;
  readonly table: string;
  readonly property: string;
  readonly column: string;
}

export interface ClassifiedColumn extends ColumnRef {
  readonly classification: Classification;
}

/** The columns of the data source's entities, each with its classification (if any). */
export function columnClassifications(metadatas: readonly EntityMetadataLike[]): (ColumnRef & {
  classification: Classification | undefined;
})[] {
  return metadatas.flatMap((metadata) =>
    metadata.columns.map((column) => ({
      entity: metadata.target as ClassType,
      table: metadata.tableName,
      property: column.propertyName,
      column: column.databaseName,
      classification: classificationOf(metadata.target as ClassType, column.propertyName),
    })),
  );
}

/** The part of TypeORM's EntityMetadata the classification walk reads. */
export interface EntityMetadataLike {
  readonly target: object | string;
  readonly tableName: string;
  readonly columns: readonly { readonly propertyName: string; readonly databaseName: string }[];
}
