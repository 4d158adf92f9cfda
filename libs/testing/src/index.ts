export * from './test-database';
export * from './test-config';
export * from './log-capture';
export * from './processes';
