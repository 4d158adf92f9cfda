import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

const cwd = '/srv/steward';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to the embedded shape with SQLite under ./data', () => {
    const config = loadConfig({ env: {}, cwd });
    expect(config.shape).toBe('embedded');
    expect(config.http.port).toBe(3000);
    expect(config.dataDir).toBe('/srv/steward/data');
    expect(config.database).toEqual({
      dialect: 'sqlite',
      url: 'sqlite:/srv/steward/data/steward.sqlite',
      sqlitePath: '/srv/steward/data/steward.sqlite',
      poolSize: 20,
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('switches to the production shape with MySQL and Redis', () => {
    const config = loadConfig({
      env: { DATABASE_URL: 'mysql://u:p@db:3306/steward', REDIS_URL: 'redis://cache:6379/0' },
      cwd,
    });
    expect(config.shape).toBe('production');
    expect(config.database.dialect).toBe('mysql');
    expect(config.database.poolSize).toBe(20);
  });

  it('takes the database pool size within bounds', () => {
    const env = { DATABASE_URL: 'mysql://u:p@db:3306/steward', REDIS_URL: 'redis://cache:6379/0' };
    expect(loadConfig({ env: { ...env, STEWARD_DB_POOL_SIZE: '64' }, cwd }).database.poolSize).toBe(
      64,
    );
    expect(problemsOf({ ...env, STEWARD_DB_POOL_SIZE: '1' })[0]).toMatch(/^STEWARD_DB_POOL_SIZE/);
    expect(problemsOf({ ...env, STEWARD_DB_POOL_SIZE: 'many' })[0]).toMatch(
      /^STEWARD_DB_POOL_SIZE/,
    );
  });

  it('names the variable and what it expects for a bad port', () => {
    expect(problemsOf({ STEWARD_HTTP_PORT: 'eighty' })).toEqual([
      'STEWARD_HTTP_PORT: expected a TCP port (1–65535), got "eighty"',
    ]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      STEWARD_HTTP_PORT: '70000',
      DATABASE_URL: 'postgres://x/y',
      STEWARD_MIGRATE_ON_BOOT: 'maybe',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/DATABASE_URL: expected a URL starting with mysql:\/\//);
  });

  it('refuses MySQL without Redis', () => {
    expect(problemsOf({ DATABASE_URL: 'mysql://u:p@db/steward' })[0]).toMatch(
      /^REDIS_URL: required/,
    );
  });

  it('never echoes a database password in a problem', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://u:s3cret-pw@db', REDIS_URL: 'redis://x' });
    expect(problems.join('\n')).not.toContain('s3cret-pw');
  });

  it('reads STEWARD_CONFIG, and the environment wins over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-config-'));
    const file = join(dir, 'steward.env');
    writeFileSync(file, 'STEWARD_HTTP_PORT=4000\nSTEWARD_LOG_LEVEL=debug\n');
    const config = loadConfig({ env: { STEWARD_CONFIG: file, STEWARD_LOG_LEVEL: 'warn' }, cwd });
    expect(config.http.port).toBe(4000);
    expect(config.log.level).toBe('warn');
  });

  it('names STEWARD_CONFIG when the file is missing', () => {
    expect(problemsOf({ STEWARD_CONFIG: '/nonexistent/steward.env' })[0]).toMatch(
      /^STEWARD_CONFIG: expected a readable env file/,
    );
  });
});
