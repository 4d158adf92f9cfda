import type { INestApplicationContext } from '@nestjs/common';
import { Database } from '@steward/persistence';
import type { TestSetup } from '@steward/testing';
import { SessionRepository } from './session.repository';
import { startIdentityTestApp } from './testing/identity-test-app';
import {
  describeSessionStoreContract,
  type SessionStoreFixture,
  TestClock,
} from './testing/session-store-contract';
import { UserService } from './user.service';

// The table store, in both shapes: the embedded shape's sessions, on SQLite and on MariaDB.
describe('SessionRepository', () => {
  let setup: TestSetup;
  let app: INestApplicationContext;
  let fixture: SessionStoreFixture;
  const clock = new TestClock();
  let users = 0;

  beforeAll(async () => {
    ({ app, setup } = await startIdentityTestApp({ clock }));
    fixture = {
      store: new SessionRepository(app.get(Database)),
      clock,
      createUser: async () => {
        users += 1;
        const email = `person${users}@example.com`;
        return (await app.get(UserService).createUser({ email, role: 'agent' })).user.id;
      },
    };
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  describeSessionStoreContract('database', () => fixture);
});
