import { PASSWORD_RESET_LIMITS, PasswordResetEntity } from '@steward/identity';
import { DataSource } from 'typeorm';

import { ANONYMOUS, useApiHarness } from './testing/api-harness';

describe('POST /api/v2/session/password_reset, throttled', () => {
  const api = useApiHarness();
  const { caller, call } = api;

  beforeEach(async () => {
    await api.reset();
    await caller('ann@example.com', 'agent');
  });

  it('answers 202 with the same empty body beyond the limit, but makes no more tokens', async () => {
    const times = PASSWORD_RESET_LIMITS.perEmail + 2;
    for (const email of ['ann@example.com', 'nobody@example.com']) {
      for (let i = 0; i < times; i++) {
        const res = await call(ANONYMOUS, 'POST', '/api/v2/session/password_reset', { email });
        expect(res).toEqual({ status: 202, body: {} });
      }
    }
    const tokens = await api.app.get(DataSource).getRepository(PasswordResetEntity).count();
    expect(tokens).toBe(PASSWORD_RESET_LIMITS.perEmail);
  });
});
