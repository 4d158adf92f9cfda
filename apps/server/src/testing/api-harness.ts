import type { INestApplication } from '@nestjs/common';
import { ApiTokenService, UserService, type UserRole } from '@steward/identity';
import { createLogger, type StewardConfig } from '@steward/platform';
import { createTestSetup, LogCapture, truncateAll, type TestSetup } from '@steward/testing';
import { DataSource } from 'typeorm';
import { createServer } from '../create-server';

/** Someone calling the API: a user id and the Authorization header of their API token. */
export interface Caller {
  readonly id: number;
  readonly auth: string;
}

export type Body = Record<string, unknown>;

export interface ApiResponse {
  readonly status: number;
  readonly body: Body;
}

/** No credentials at all. */
export const ANONYMOUS: Caller = { id: 0, auth: '' };

/**
 * One real server per test file (the configured shape's database), and helpers to call it as a
 * given user. `useApiHarness()` starts it before the file's tests and stops it after them.
 */
export class ApiHarness {
  readonly logs = new LogCapture();
  private started?: { setup: TestSetup; app: INestApplication; base: string };

  get app(): INestApplication {
    return this.server.app;
  }

  /** The configuration the server runs with (its own data directory and database). */
  get config(): StewardConfig {
    return this.server.setup.config;
  }

  /** The server's base URL, e.g. http://127.0.0.1:41234 */
  get base(): string {
    return this.server.base;
  }

  async start(): Promise<void> {
    const setup = await createTestSetup();
    const app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('warn', this.logs),
    });
    await app.listen(0, '127.0.0.1');
    this.started = { setup, app, base: await app.getUrl() };
  }

  async stop(): Promise<void> {
    await this.started?.app.close();
    await this.started?.setup.cleanup();
  }

  /** Empties every table, for a test that starts from nothing. */
  readonly reset = async (): Promise<void> => {
    await truncateAll(this.app.get(DataSource));
  };

  /** Creates a user with the role and an API token, and returns them as a caller. */
  readonly caller = async (email: string, role: UserRole): Promise<Caller> => {
    const { user } = await this.app.get(UserService).createUser({ email, role });
    const { token } = await this.app.get(ApiTokenService).create(user.id, 'test');
    return { id: user.id, auth: `Bearer ${token}` };
  };

  /** Calls the API as `who`; a string body is sent as it is, anything else as JSON. */
  readonly call = async (
    who: Caller,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse> => {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(who.auth ? { authorization: who.auth } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
  };

  private get server(): { setup: TestSetup; app: INestApplication; base: string } {
    if (!this.started) throw new Error('the API harness is not started (use useApiHarness())');
    return this.started;
  }
}

/** A harness for this test file: started in beforeAll, stopped in afterAll. */
export function useApiHarness(): ApiHarness {
  const harness = new ApiHarness();
  beforeAll(() => harness.start());
  afterAll(() => harness.stop());
  return harness;
}
