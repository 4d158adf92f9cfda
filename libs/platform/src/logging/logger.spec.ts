import { Writable } from 'node:stream';
import { createLogger } from './logger';
import { redactUrl } from './redaction';

const SECRET = 'Canary-Secret-3b7e1d';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function flushed(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('createLogger', () => {
  it('redacts sensitive keys at any depth, and keeps the rest', async () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info(
      {
        user: {
          email: 'ann@example.com',
          password: SECRET,
          nested: [{ apiKey: SECRET, token: SECRET }],
        },
        headers: {
          authorization: `Bearer ${SECRET}`,
          cookie: `sid=${SECRET}`,
          'user-agent': 'curl',
        },
        clientSecret: SECRET,
      },
      'signed in',
    );
    await flushed();
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(out.text()).not.toContain(SECRET);
    expect(line).toMatchObject({
      msg: 'signed in',
      user: {
        email: 'ann@example.com',
        password: '[redacted]',
        nested: [{ apiKey: '[redacted]', token: '[redacted]' }],
      },
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'user-agent': 'curl' },
      clientSecret: '[redacted]',
    });
  });

  it('drops request bodies carried by errors (as body-parser errors carry them)', async () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    const error = Object.assign(new SyntaxError('Unexpected token'), {
      body: `{"password":"${SECRET}"`,
      status: 400,
    });
    logger.error({ err: error }, 'bad request');
    await flushed();
    expect(out.text()).toContain('Unexpected token');
    expect(out.text()).not.toContain(SECRET);
  });

  it('redacts sensitive query parameters in URLs', () => {
    expect(redactUrl(`/reset?token=${SECRET}&next=/home`)).toBe(
      '/reset?token=%5Bredacted%5D&next=%2Fhome',
    );
    expect(redactUrl('/api/v2/tickets.json?page=2')).toBe('/api/v2/tickets.json?page=2');
  });
});
