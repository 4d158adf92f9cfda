import { afterEach, describe, expect, it } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import { Metrics } from '@steward/platform';
import { type JobDefinition, JobRegistry, defineJob } from '../job-definition';
import { type JobQueue, JobQueueError, PermanentJobError } from '../job-queue';
import { idPayload, noPayload } from '../payloads';

/** What an adapter factory gets: the handlers, and where to count and log. */
export interface ContractTools {
  readonly registry: JobRegistry;
  readonly metrics: Metrics;
  readonly logger: LoggerService;
}

export type MakeJobQueue = (tools: ContractTools) => JobQueue;

/** A logger that keeps every line, to assert on what reached the logs. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`log ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`warn ${String(message)}`);
  }
  debug(message: unknown): void {
    this.lines.push(`debug ${String(message)}`);
  }
}

export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Polls `condition` every 10 ms until it holds; fails saying what it waited for. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The value of steward_jobs_total for a job and outcome. */
export async function jobsTotal(metrics: Metrics, job: string, outcome: string): Promise<number> {
  const { values } = await metrics.jobsTotal.get();
  return values.find((v) => v.labels.job === job && v.labels.outcome === outcome)?.value ?? 0;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Nothing announces that a job was *not* retried; after a failure, this leaves a wrongly
 * scheduled retry (the tests use a 10 ms backoff) ample time to show up before asserting.
 */
const RETRY_WINDOW_MS = 250;

/**
 * The semantics every JobQueue adapter must have, written once and run against each adapter.
 * `makeQueue` builds a fresh, not yet consuming queue over the given handlers.
 */
export function describeJobQueueContract(adapter: string, makeQueue: MakeJobQueue): void {
  describe(`JobQueue contract (${adapter})`, () => {
    const queues: JobQueue[] = [];
    const gates: Deferred[] = [];

    afterEach(async () => {
      for (const gate of gates.splice(0)) gate.resolve();
      for (const queue of queues.splice(0)) await queue.close();
    });

    function setup(...definitions: JobDefinition[]) {
      const metrics = new Metrics();
      const logger = new CapturingLogger();
      const queue = makeQueue({ registry: JobRegistry.of(definitions), metrics, logger });
      queues.push(queue);
      return { queue, metrics, logger };
    }

    function gate(): Deferred {
      const d = deferred();
      gates.push(d);
      return d;
    }

    it('runs a job with its payload validated on receipt', async () => {
      const seen: unknown[] = [];
      const { queue, metrics } = setup(
        defineJob({ name: 'contract.run', payload: idPayload }, (payload) => {
          seen.push(payload);
        }),
      );
      await queue.startConsuming();

      await expect(queue.enqueue('contract.run', { id: 7 })).resolves.toBe(true);

      await waitFor(
        'the job to complete',
        async () => (await jobsTotal(metrics, 'contract.run', 'completed')) === 1,
      );
      expect(seen).toEqual([{ id: 7 }]);
    });

    it('fails an invalid payload at once, without calling the handler or logging the payload', async () => {
      let calls = 0;
      const { queue, metrics, logger } = setup(
        defineJob(
          { name: 'contract.invalid', payload: idPayload, attempts: 5, backoffMs: 10 },
          () => {
            calls += 1;
          },
        ),
      );
      await queue.startConsuming();

      await queue.enqueue('contract.invalid', { email: 'alice@example.com' });

      await waitFor(
        'the job to fail',
        async () => (await jobsTotal(metrics, 'contract.invalid', 'failed')) === 1,
      );
      await pause(RETRY_WINDOW_MS);
      expect(calls).toBe(0);
      expect(await jobsTotal(metrics, 'contract.invalid', 'failed')).toBe(1);
      expect(await jobsTotal(metrics, 'contract.invalid', 'retried')).toBe(0);
      expect(await queue.depth()).toEqual({ 'contract.invalid': 0 });
      expect(logger.lines.some((line) => line.includes('payload rejected'))).toBe(true);
      expect(logger.lines.join('\n')).not.toContain('alice@example.com');
    });

    it('retries a failing job with exponential backoff, then completes it', async () => {
      const attempts: number[] = [];
      const { queue, metrics } = setup(
        defineJob(
          { name: 'contract.retry', payload: idPayload, attempts: 4, backoffMs: 200 },
          () => {
            attempts.push(Date.now());
            if (attempts.length < 3) throw new Error('transient');
          },
        ),
      );
      await queue.startConsuming();

      await queue.enqueue('contract.retry', { id: 1 });

      await waitFor(
        'the job to complete',
        async () => (await jobsTotal(metrics, 'contract.retry', 'completed')) === 1,
      );
      expect(attempts).toHaveLength(3);
      const [first = 0, second = 0, third = 0] = attempts;
      expect(second - first).toBeGreaterThanOrEqual(195); // backoffMs * 2^0
      expect(third - second).toBeGreaterThanOrEqual(395); // backoffMs * 2^1
      expect(await jobsTotal(metrics, 'contract.retry', 'retried')).toBe(2);
      expect(await jobsTotal(metrics, 'contract.retry', 'failed')).toBe(0);
    });

    it('fails a job for good after its last attempt', async () => {
      let calls = 0;
      const { queue, metrics } = setup(
        defineJob(
          { name: 'contract.exhaust', payload: idPayload, attempts: 2, backoffMs: 10 },
          () => {
            calls += 1;
            throw new Error('still broken');
          },
        ),
      );
      await queue.startConsuming();

      await queue.enqueue('contract.exhaust', { id: 1 });

      await waitFor(
        'the job to fail',
        async () => (await jobsTotal(metrics, 'contract.exhaust', 'failed')) === 1,
      );
      await pause(RETRY_WINDOW_MS);
      expect(calls).toBe(2);
      expect(await jobsTotal(metrics, 'contract.exhaust', 'failed')).toBe(1);
      expect(await jobsTotal(metrics, 'contract.exhaust', 'retried')).toBe(1);
    });

    it('fails a job that throws PermanentJobError at once, without retry', async () => {
      let calls = 0;
      const { queue, metrics, logger } = setup(
        defineJob(
          { name: 'contract.permanent', payload: idPayload, attempts: 5, backoffMs: 10 },
          () => {
            calls += 1;
            throw new PermanentJobError('row 1 is gone');
          },
        ),
      );
      await queue.startConsuming();

      await queue.enqueue('contract.permanent', { id: 1 });

      await waitFor(
        'the job to fail',
        async () => (await jobsTotal(metrics, 'contract.permanent', 'failed')) === 1,
      );
      await pause(RETRY_WINDOW_MS);
      expect(calls).toBe(1);
      expect(await jobsTotal(metrics, 'contract.permanent', 'failed')).toBe(1);
      expect(await jobsTotal(metrics, 'contract.permanent', 'retried')).toBe(0);
      expect(logger.lines.some((line) => line.includes('row 1 is gone'))).toBe(true);
    });

    it('never runs more jobs of a name at once than its concurrency', async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      let done = 0;
      const { queue } = setup(
        defineJob(
          { name: 'contract.concurrency', payload: idPayload, concurrency: 3 },
          async () => {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await pause(30); // stands for work, so that jobs overlap
            inFlight -= 1;
            done += 1;
          },
        ),
      );
      await queue.enqueueMany(
        'contract.concurrency',
        Array.from({ length: 12 }, (_, i) => ({ payload: { id: i + 1 } })),
      );
      await queue.startConsuming();

      await waitFor('all 12 jobs to finish', () => done === 12);
      expect(maxInFlight).toBe(3);
    });

    it('ignores a job id while its job waits or runs, and takes it again once finished', async () => {
      const release = gate();
      const started: unknown[] = [];
      let finished = 0;
      const { queue } = setup(
        defineJob(
          { name: 'contract.dedup', payload: idPayload, concurrency: 1 },
          async (payload) => {
            started.push(payload.id);
            await release.promise;
            finished += 1;
          },
        ),
      );
      await queue.startConsuming();

      expect(await queue.enqueue('contract.dedup', { id: 1 }, { jobId: 'ticket-1' })).toBe(true);
      await waitFor('ticket-1 to start', () => started.length === 1);
      expect(await queue.enqueue('contract.dedup', { id: 1 }, { jobId: 'ticket-1' })).toBe(false); // running
      expect(await queue.enqueue('contract.dedup', { id: 2 }, { jobId: 'ticket-2' })).toBe(true);
      expect(await queue.enqueue('contract.dedup', { id: 2 }, { jobId: 'ticket-2' })).toBe(false); // waiting
      release.resolve();
      await waitFor('both jobs to finish', () => finished === 2);

      expect(await queue.enqueue('contract.dedup', { id: 1 }, { jobId: 'ticket-1' })).toBe(true);
      await waitFor('ticket-1 to run again', () => finished === 3);
      expect(started).toEqual([1, 2, 1]);
    });

    it('queues many jobs in bulk, de-duplicating their ids', async () => {
      const seen: unknown[] = [];
      const { queue } = setup(
        defineJob({ name: 'contract.bulk', payload: idPayload, concurrency: 5 }, (payload) => {
          seen.push(payload.id);
        }),
      );

      const added = await queue.enqueueMany('contract.bulk', [
        { payload: { id: 1 }, jobId: 'row-1' },
        { payload: { id: 2 }, jobId: 'row-2' },
        { payload: { id: 1 }, jobId: 'row-1' },
        { payload: { id: 3 } },
      ]);
      await queue.startConsuming();

      expect(added).toBe(3);
      await waitFor('three jobs to run', () => seen.length === 3);
      expect([...seen].sort()).toEqual([1, 2, 3]);
    });

    it('runs a delayed job no earlier than its delay, counting it in the depth meanwhile', async () => {
      let ranAt = 0;
      const { queue } = setup(
        defineJob({ name: 'contract.delayed', payload: idPayload }, () => {
          ranAt = Date.now();
        }),
      );
      await queue.startConsuming();

      const enqueuedAt = Date.now();
      await queue.enqueue('contract.delayed', { id: 1 }, { delayMs: 400 });

      expect(await queue.depth()).toEqual({ 'contract.delayed': 1 });
      await waitFor('the delayed job to run', () => ranAt > 0);
      expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(395);
      expect(await queue.depth()).toEqual({ 'contract.delayed': 0 });
    });

    it('fires a cron schedule once consuming starts, with an empty payload', async () => {
      const seen: unknown[] = [];
      const { queue } = setup(
        defineJob({ name: 'contract.cron', payload: noPayload, cron: '* * * * * *' }, (payload) => {
          seen.push(payload);
        }),
      );
      await queue.startConsuming();

      await waitFor('the schedule to fire', () => seen.length >= 1, 5_000);
      expect(seen[0]).toEqual({});
    });

    it('drains by waiting for a running job to finish', async () => {
      const release = gate();
      let started = false;
      let finishedAt = 0;
      const { queue } = setup(
        defineJob({ name: 'contract.drain', payload: idPayload }, async () => {
          started = true;
          await release.promise;
          finishedAt = Date.now();
        }),
      );
      await queue.startConsuming();
      await queue.enqueue('contract.drain', { id: 1 });
      await waitFor('the job to start', () => started);

      const draining = queue.drain(10_000);
      setTimeout(() => release.resolve(), 100); // the job finishes its work a little later
      const result = await draining;

      expect(result).toEqual({ drained: true, running: 0 });
      expect(finishedAt).toBeGreaterThan(0);
      expect(finishedAt).toBeLessThanOrEqual(Date.now());
    });

    it('returns from a drain at the deadline when a job hangs', async () => {
      const hang = gate();
      let started = false;
      const { queue } = setup(
        defineJob({ name: 'contract.hang', payload: idPayload }, async () => {
          started = true;
          await hang.promise;
        }),
      );
      await queue.startConsuming();
      await queue.enqueue('contract.hang', { id: 1 });
      await waitFor('the job to start', () => started);

      const before = Date.now();
      const result = await queue.drain(300);
      const elapsed = Date.now() - before;

      expect(result).toEqual({ drained: false, running: 1 });
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(3_000);
    });

    it('rejects a job name that has no handler, before queueing anything', async () => {
      const { queue } = setup(
        defineJob({ name: 'contract.known', payload: idPayload }, () => undefined),
      );

      await expect(queue.enqueue('contract.unknown', { id: 1 })).rejects.toThrow(JobQueueError);
      await expect(queue.enqueue('contract.unknown', { id: 1 })).rejects.toThrow(
        /no handler is declared for job "contract.unknown"/,
      );
      await expect(queue.enqueueMany('contract.unknown', [{ payload: { id: 1 } }])).rejects.toThrow(
        /no handler/,
      );
      expect(await queue.depth()).toEqual({ 'contract.known': 0 });
    });

    it('rejects a job id with ":" or other characters BullMQ cannot take', async () => {
      const { queue } = setup(
        defineJob({ name: 'contract.ids', payload: idPayload }, () => undefined),
      );

      await expect(queue.enqueue('contract.ids', { id: 1 }, { jobId: 'ticket:1' })).rejects.toThrow(
        /":" is not allowed/,
      );
      await expect(queue.enqueue('contract.ids', { id: 1 }, { jobId: '' })).rejects.toThrow(
        JobQueueError,
      );
      await expect(
        queue.enqueueMany('contract.ids', [{ payload: { id: 1 }, jobId: 'a b' }]),
      ).rejects.toThrow(JobQueueError);
      expect(await queue.depth()).toEqual({ 'contract.ids': 0 });
    });
  });
}
