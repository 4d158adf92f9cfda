export * from './process';
export * from './schema';
export * from './steward-core.module';
export * from './http/health.controller';
export * from './http/public.decorator';
export * from './http/require-permission.decorator';
export * from './doctor';
