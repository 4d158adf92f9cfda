import { Test } from '@nestjs/testing';
import { Readiness } from './readiness';

describe('Readiness', () => {
  it('is ready when every probe resolves', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [Readiness] }).compile();
    const readiness = moduleRef.get(Readiness);
    readiness.register('database', () => Promise.resolve());
    await expect(readiness.report()).resolves.toEqual({
      ready: true,
      checks: { database: { status: 'up' } },
    });
  });

  it('names the failing probe and its reason', async () => {
    const readiness = new Readiness();
    readiness.register('database', () => Promise.resolve());
    readiness.register('redis', () => Promise.reject(new Error('connection refused')));
    const report = await readiness.report();
    expect(report.ready).toBe(false);
    expect(report.checks.redis).toEqual({ status: 'down', message: 'connection refused' });
  });

  it('is not ready once shutdown has begun', async () => {
    const readiness = new Readiness();
    readiness.beginShutdown();
    const report = await readiness.report();
    expect(report.ready).toBe(false);
    expect(report.checks.shutdown?.status).toBe('down');
  });
});
