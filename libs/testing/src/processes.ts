import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The built entry points (`npm test` builds dist/ first, in `pretest`). */
export type StewardProgram = 'server' | 'worker' | 'cli';

const REPOSITORY = resolve(__dirname, '..', '..', '..');

/** The path of a built Steward program; fails plainly when dist/ has not been built. */
export function builtProgram(program: StewardProgram): string {
  const path = resolve(REPOSITORY, 'dist', 'apps', program, 'src', 'main.js');
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist; run \`npm run build\` (npm test does it first)`);
  }
  return path;
}

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A program that has run to its end. */
export interface CompletedProcess extends ProcessExit {
  readonly stdout: string;
  readonly stderr: string;
  /** The output, for failure messages. */
  describe(): string;
}

export interface SpawnOptions {
  /** The child's whole environment: nothing of the test runner's leaks in. */
  readonly env: Record<string, string>;
  readonly args?: readonly string[];
  /** Written to standard input, which is then closed; without it stdin is closed at once. */
  readonly input?: string;
}

/** A Steward program running under the Node.js that runs the tests, its output captured. */
export class RunningProcess {
  private out = '';
  private err = '';
  private exit: ProcessExit | undefined;
  private readonly exitPromise: Promise<ProcessExit>;

  constructor(
    readonly program: StewardProgram,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.out += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.err += chunk));
    this.exitPromise = new Promise<ProcessExit>((done) => {
      child.once('error', () => {
        this.exit ??= { code: null, signal: null };
        done(this.exit);
      });
      // 'close' comes after both output streams have ended, so the output is complete.
      child.once('close', (code, signal) => {
        this.exit ??= { code, signal };
        done(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  /** How it ended, or undefined while it runs. */
  get exited(): ProcessExit | undefined {
    return this.exit;
  }

  /** What the process printed, for failure messages. */
  describe(): string {
    return `${this.program} (pid ${this.pid ?? '?'})\n--- stdout\n${this.out}\n--- stderr\n${this.err}`;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exit === undefined) this.child.kill(signal);
  }

  /** Waits for the process to end; rejects (leaving it running) when it outlives `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`still running after ${timeoutMs} ms: ${this.describe()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exitPromise, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Polls the captured output until `pattern` appears; rejects when the process ends first. */
  async waitForOutput(
    pattern: RegExp,
    timeoutMs: number,
    stream: 'stdout' | 'stderr' = 'stdout',
  ): Promise<void> {
    await pollUntil(
      () => {
        if (pattern.test(stream === 'stdout' ? this.out : this.err)) return true;
        if (this.exit) throw new Error(`exited before printing ${pattern}: ${this.describe()}`);
        return false;
      },
      timeoutMs,
      () => `${pattern} not printed within ${timeoutMs} ms: ${this.describe()}`,
    );
  }

  /** SIGTERM, then SIGKILL when it does not end within `graceMs`; resolves once it has ended. */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    try {
      return await this.waitForExit(graceMs);
    } catch {
      this.child.kill('SIGKILL');
      return this.exitPromise;
    }
  }
}

/** Every process a test file starts, so that afterEach/afterAll can stop them all. */
export class ProcessTracker {
  private readonly running = new Set<RunningProcess>();

  /** Starts a built Steward program with exactly the given environment. */
  start(program: StewardProgram, options: SpawnOptions): RunningProcess {
    const child = spawn(process.execPath, [builtProgram(program), ...(options.args ?? [])], {
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin?.on('error', () => undefined); // the child may exit before reading its input
    child.stdin?.end(options.input ?? '');
    const started = new RunningProcess(program, child);
    this.running.add(started);
    return started;
  }

  /** Runs a program to its end (killing it after `timeoutMs`) and returns how it ended. */
  async run(
    program: StewardProgram,
    options: SpawnOptions & { readonly timeoutMs?: number },
  ): Promise<CompletedProcess> {
    const started = this.start(program, options);
    let exit: ProcessExit;
    try {
      exit = await started.waitForExit(options.timeoutMs ?? 30_000);
    } catch (error) {
      await started.stop(0);
      throw error;
    }
    return {
      ...exit,
      stdout: started.stdout,
      stderr: started.stderr,
      describe: () => started.describe(),
    };
  }

  /** Stops every process still running (SIGTERM, then SIGKILL). */
  async stopAll(): Promise<void> {
    const all = [...this.running];
    this.running.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}

/** Fails, showing what the process printed, unless it exited with `code`. */
export function expectExitCode(result: CompletedProcess, code: number): void {
  if (result.code !== code) {
    const got = result.code ?? `no code (signal ${result.signal ?? 'none'})`;
    throw new Error(`expected exit code ${code}, got ${got}: ${result.describe()}`);
  }
}

/** Calls `check` every `intervalMs` until it returns true; rejects with `message()` at the deadline. */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  message: () => string = () => `condition not met within ${timeoutMs} ms`,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(message());
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

/**
 * Polls `url` until it answers `status`; rejects at the deadline with the last answer (or
 * error), or as soon as `server` (the process that should answer) ends.
 */
export async function waitForHttpStatus(
  url: string,
  status: number,
  timeoutMs: number,
  server?: RunningProcess,
): Promise<Response> {
  let last = 'no answer yet';
  let answer: Response | undefined;
  await pollUntil(
    async () => {
      if (server?.exited) {
        throw new Error(`exited while waiting for ${url}: ${server.describe()}`);
      }
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (response.status === status) {
          answer = response;
          return true;
        }
        last = `${response.status} ${await response.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      return false;
    },
    timeoutMs,
    () =>
      `${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})` +
      (server ? `: ${server.describe()}` : ''),
    100,
  );
  return answer as Response;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? done(port) : fail(new Error('no port assigned'))));
    });
  });
}

/** Where a JavaScript stack trace shows in output: lines like "    at fn (file:1:2)". */
export const STACK_TRACE_LINE = /^ {4}at /m;
