export * from './classification';
export * from './data-source';
export * from './migrations';
export * from './persistence.module';
export * from './schema-types';
export * from './database';
export * from './unique-violation';
export * from './domain-events';
