import { JOB_DEFAULTS, JobRegistry, defineJob } from './job-definition';
import { JobHandler, jobHandlerRegistration } from './job-handler.decorator';
import { JobQueueError } from './job-queue';
import { idPayload, noPayload } from './payloads';

describe('@JobHandler', () => {
  it('binds the decorated method to the instance it is discovered on', async () => {
    class Exporter {
      readonly exported: (string | number)[] = [];

      @JobHandler({ name: 'privacy.export', payload: idPayload, attempts: 3 })
      export({ id }: { id: string | number }): void {
        this.exported.push(id);
      }
    }
    const exporter = new Exporter();
    const registration = jobHandlerRegistration(Exporter.prototype.export);
    const definition = registration?.define(exporter, 'Exporter.export');

    await definition?.prepare({ id: 'dsr-1' })();

    expect(exporter.exported).toEqual(['dsr-1']);
    expect(definition).toMatchObject({
      name: 'privacy.export',
      attempts: 3,
      concurrency: JOB_DEFAULTS.concurrency,
      backoffMs: JOB_DEFAULTS.backoffMs,
      source: 'Exporter.export',
    });
  });

  it.each([
    'mail',
    'Mail.ingest',
    'mail..ingest',
    'mail.ingest.',
    'mail:ingest',
    'mail ingest',
    '.mail',
  ])('rejects the malformed job name %p when the class is defined', (name) => {
    expect(() => JobHandler({ name, payload: idPayload })).toThrow(JobQueueError);
  });

  it.each([
    'mail.ingest',
    'mail.deliver',
    'privacy.export',
    'sla.breach-check',
    'search.index_ticket',
  ])('accepts the dotted job name %p', (name) => {
    expect(() => JobHandler({ name, payload: idPayload })).not.toThrow();
  });

  it.each([
    [{ concurrency: 0 }, /concurrency/],
    [{ attempts: 0 }, /attempts/],
    [{ attempts: 1.5 }, /attempts/],
    [{ backoffMs: -1 }, /backoffMs/],
    [{ cron: 'every minute' }, /cron "every minute" is not a valid pattern/],
  ])('rejects the options %p', (options, message) => {
    expect(() => JobHandler({ name: 'mail.ingest', payload: idPayload, ...options })).toThrow(
      message,
    );
  });

  it('accepts a cron pattern with seconds', () => {
    expect(() =>
      JobHandler({ name: 'durable.sweep', payload: noPayload, cron: '*/30 * * * * *' }),
    ).not.toThrow();
  });
});

describe('JobRegistry', () => {
  it('names both handlers of a duplicated job name', () => {
    const registry = JobRegistry.of([
      defineJob({ name: 'mail.ingest', payload: idPayload }, () => undefined, 'A.ingest'),
      defineJob({ name: 'mail.ingest', payload: idPayload }, () => undefined, 'B.ingest'),
    ]);
    expect(() => registry.all()).toThrow('job mail.ingest has two handlers, A.ingest and B.ingest');
  });
});

describe('idPayload', () => {
  it.each([{ id: 1 }, { id: 'a1b2-c3' }])('accepts %p', (input) => {
    expect(idPayload(input)).toEqual(input);
  });

  it.each([
    null,
    [],
    'id',
    {},
    { id: 0 },
    { id: -1 },
    { id: 1.5 },
    { id: '' },
    { id: 'a b' },
    { id: 1, email: 'alice@example.com' },
  ])('rejects %p without echoing it', (input) => {
    let message = '';
    try {
      idPayload(input);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toContain('alice');
  });
});

describe('noPayload', () => {
  it('accepts only an empty object', () => {
    expect(noPayload({})).toEqual({});
    expect(() => noPayload({ id: 1 })).toThrow('expected an empty payload {}');
    expect(() => noPayload(undefined)).toThrow('expected an empty payload {}');
  });
});
