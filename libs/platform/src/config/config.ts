import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseEnvFile } from 'dotenv';

export type Shape = 'embedded' | 'production';
export type DatabaseDialect = 'sqlite' | 'mysql';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
/** Who must sign in with a second factor: admins, every agent role (admins too), or nobody. */
export type TwoFactorRequirement = 'admins' | 'agents' | 'off';
/**
 * What erasing a data subject does to the tickets they requested: anonymise them all, or delete
 * those where they are the sole requester (STEWARD_ERASURE_TICKETS).
 */
export type TicketErasure = 'anonymise' | 'delete';

export interface DatabaseConfig {
  readonly dialect: DatabaseDialect;
  /** The URL as given, for connecting; never log it (it may carry a password). */
  readonly url: string;
  /** SQLite file path when the dialect is sqlite. */
  readonly sqlitePath?: string;
  /** MySQL/MariaDB: connections each process keeps open at most. */
  readonly poolSize: number;
}

/** The whole bootstrap configuration of a Steward process, validated once. */
export interface StewardConfig {
  readonly shape: Shape;
  readonly http: { readonly host: string; readonly port: number };
  readonly worker: { readonly httpHost: string; readonly httpPort: number };
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly storageDir: string;
  readonly secretsFile: string;
  readonly database: DatabaseConfig;
  readonly redisUrl?: string;
  /** Key prefix in Redis, so that installations or test runs can share one server. */
  readonly redisPrefix: string;
  readonly migrateOnBoot: boolean;
  readonly log: { readonly level: LogLevel };
  readonly shutdownTimeoutMs: number;
  readonly bcryptCost: number;
  readonly bodyLimitBytes: number;
  /** Web sessions: signed out after this long unused, and at the latest this long after sign-in. */
  readonly session: { readonly idleTimeoutMs: number; readonly absoluteTimeoutMs: number };
  /** Failed sign-ins allowed per account and per IP address within windowMs, then lockoutMs. */
  readonly signInThrottle: {
    readonly accountMaxFailures: number;
    readonly ipMaxFailures: number;
    readonly windowMs: number;
    readonly lockoutMs: number;
  };
  /** Whom the policy requires to use two-factor sign-in; how long a proven password counts. */
  readonly twoFactor: {
    readonly requiredFor: TwoFactorRequirement;
    readonly reauthenticationWindowMs: number;
  };
  /** How long an administrator's break-glass access to a confidential group lasts. */
  readonly breakGlassTtlMs: number;
  /**
   * Solved tickets close (for good) this many days after they were solved; `erasure`: what
   * erasing a requester does to their tickets.
   */
  readonly tickets: { readonly closeSolvedAfterDays: number; readonly erasure: TicketErasure };
  /** The largest file one upload may carry (STEWARD_ATTACHMENT_MAX_MB), in bytes. */
  readonly attachments: { readonly maxBytes: number };
  /** API requests each caller (a user, or an address when anonymous) may make per minute. */
  readonly apiRateLimit: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** A configuration that cannot be used; the message names every variable at fault. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

class Reader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number, what: string): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name}: expected ${what} (${min}–${max}), got "${value}"`);
      return fallback;
    }
    return Number(value);
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name}: expected true or false, got "${value}"`);
    return fallback;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
      return fallback;
    }
    return value as T;
  }

  prefix(name: string, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(value)) {
      this.problems.push(`${name}: expected 1–32 letters, digits, '-' or '_', got "${value}"`);
      return fallback;
    }
    return value;
  }

  url(name: string, protocols: readonly string[]): URL | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.problems.push(`${name}: expected a URL (${protocols.join(' or ')}), got something else`);
      return undefined;
    }
    if (!protocols.includes(url.protocol)) {
      this.problems.push(
        `${name}: expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}, got ${url.protocol}//…`,
      );
      return undefined;
    }
    return url;
  }
}

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function readDatabase(reader: Reader, dataDir: string, cwd: string): DatabaseConfig {
  const defaultPath = resolve(dataDir, 'steward.sqlite');
  const poolSize = reader.integer('STEWARD_DB_POOL_SIZE', 20, 2, 500, 'connections');
  const raw = reader.raw('DATABASE_URL');
  if (raw === undefined) {
    return { dialect: 'sqlite', url: `sqlite:${defaultPath}`, sqlitePath: defaultPath, poolSize };
  }
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') {
      reader.problems.push('DATABASE_URL: expected sqlite:/path/to/file.sqlite, got no path');
      return { dialect: 'sqlite', url: `sqlite:${defaultPath}`, sqlitePath: defaultPath, poolSize };
    }
    const sqlitePath = absolute(path, cwd);
    return { dialect: 'sqlite', url: `sqlite:${sqlitePath}`, sqlitePath, poolSize };
  }
  const url = reader.url('DATABASE_URL', ['mysql:', 'mariadb:']);
  if (url === undefined) {
    return { dialect: 'sqlite', url: `sqlite:${defaultPath}`, sqlitePath: defaultPath, poolSize };
  }
  if (url.pathname.length <= 1) {
    reader.problems.push(
      'DATABASE_URL: expected a database name, as in mysql://user:pass@host:3306/steward',
    );
  }
  return { dialect: 'mysql', url: raw, poolSize };
}

export interface LoadConfigOptions {
  /** The process environment; defaults to `process.env`. */
  readonly env?: Environment;
  /** Directory that relative paths are resolved against; defaults to the working directory. */
  readonly cwd?: string;
}

/**
 * Reads and validates the configuration from the environment and the optional env file named
 * by STEWARD_CONFIG. Variables set in the environment win over the file. Throws ConfigError.
 */
export function loadConfig(options: LoadConfigOptions = {}): StewardConfig {
  const processEnv = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const env = { ...readEnvFile(processEnv, cwd), ...definedOnly(processEnv) };
  const reader = new Reader(env);

  const dataDir = absolute(reader.string('STEWARD_DATA_DIR', './data'), cwd);
  const port = reader.integer('STEWARD_HTTP_PORT', 3000, 1, 65535, 'a TCP port');
  const database = readDatabase(reader, dataDir, cwd);
  const redis = reader.url('REDIS_URL', ['redis:', 'rediss:']);
  const publicUrl = reader.url('STEWARD_PUBLIC_URL', ['http:', 'https:']);
  const shape: Shape = database.dialect === 'mysql' && redis ? 'production' : 'embedded';

  const config: StewardConfig = {
    shape,
    http: { host: reader.string('STEWARD_HTTP_HOST', '127.0.0.1'), port },
    worker: {
      httpHost: reader.string('STEWARD_WORKER_HTTP_HOST', '127.0.0.1'),
      httpPort: reader.integer(
        'STEWARD_WORKER_HTTP_PORT',
        3001,
        0,
        65535,
        'a TCP port, or 0 for none',
      ),
    },
    publicUrl: (publicUrl?.toString() ?? `http://localhost:${port}/`).replace(/\/$/, ''),
    dataDir,
    storageDir: absolute(reader.string('STEWARD_STORAGE_DIR', resolve(dataDir, 'storage')), cwd),
    secretsFile: absolute(
      reader.string('STEWARD_SECRETS_FILE', resolve(dataDir, 'secrets.json')),
      cwd,
    ),
    database,
    redisUrl: redis ? reader.raw('REDIS_URL') : undefined,
    redisPrefix: reader.prefix('STEWARD_REDIS_PREFIX', 'steward'),
    migrateOnBoot: reader.boolean('STEWARD_MIGRATE_ON_BOOT', true),
    log: {
      level: reader.oneOf<LogLevel>('STEWARD_LOG_LEVEL', 'info', [
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    },
    shutdownTimeoutMs: reader.integer(
      'STEWARD_SHUTDOWN_TIMEOUT_MS',
      25_000,
      1_000,
      600_000,
      'milliseconds',
    ),
    bcryptCost: reader.integer('STEWARD_BCRYPT_COST', 12, 10, 15, 'a bcrypt cost factor'),
    bodyLimitBytes: reader.integer(
      'STEWARD_HTTP_BODY_LIMIT',
      1_048_576,
      1_024,
      104_857_600,
      'bytes',
    ),
    session: {
      idleTimeoutMs:
        reader.integer('STEWARD_SESSION_IDLE_MINUTES', 30, 1, 1_440, 'minutes') * 60_000,
      absoluteTimeoutMs:
        reader.integer('STEWARD_SESSION_ABSOLUTE_HOURS', 12, 1, 720, 'hours') * 3_600_000,
    },
    signInThrottle: {
      accountMaxFailures: reader.integer(
        'STEWARD_SIGN_IN_ACCOUNT_MAX_FAILURES',
        5,
        1,
        1_000,
        'failed sign-ins',
      ),
      ipMaxFailures: reader.integer(
        'STEWARD_SIGN_IN_IP_MAX_FAILURES',
        20,
        1,
        100_000,
        'failed sign-ins',
      ),
      windowMs: reader.integer('STEWARD_SIGN_IN_WINDOW_MINUTES', 15, 1, 1_440, 'minutes') * 60_000,
      lockoutMs:
        reader.integer('STEWARD_SIGN_IN_LOCKOUT_MINUTES', 15, 1, 1_440, 'minutes') * 60_000,
    },
    twoFactor: {
      requiredFor: reader.oneOf<TwoFactorRequirement>('STEWARD_TWO_FACTOR_REQUIRED', 'admins', [
        'admins',
        'agents',
        'off',
      ]),
      reauthenticationWindowMs:
        reader.integer('STEWARD_REAUTH_WINDOW', 10, 1, 1_440, 'minutes') * 60_000,
    },
    breakGlassTtlMs: reader.integer('STEWARD_BREAK_GLASS_TTL', 60, 1, 1_440, 'minutes') * 60_000,
    tickets: {
      closeSolvedAfterDays: reader.integer('STEWARD_TICKET_CLOSE_AFTER_DAYS', 4, 1, 28, 'days'),
      erasure: reader.oneOf<TicketErasure>('STEWARD_ERASURE_TICKETS', 'anonymise', [
        'anonymise',
        'delete',
      ]),
    },
    attachments: {
      maxBytes: reader.integer('STEWARD_ATTACHMENT_MAX_MB', 20, 1, 100, 'megabytes') * 1_048_576,
    },
    apiRateLimit: reader.integer(
      'STEWARD_API_RATE_LIMIT',
      700,
      1,
      1_000_000,
      'API requests per minute per caller',
    ),
  };
  if (database.dialect === 'mysql' && !redis) {
    reader.problems.push(
      'REDIS_URL: required when DATABASE_URL points at MySQL/MariaDB (the production shape runs jobs on Redis)',
    );
  }
  if (redis && database.dialect === 'sqlite') {
    reader.problems.push(
      'REDIS_URL: set, but DATABASE_URL is SQLite; the production shape needs both MySQL/MariaDB and Redis',
    );
  }
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return Object.freeze(config);
}

function definedOnly(env: Environment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

function readEnvFile(env: Environment, cwd: string): Record<string, string> {
  const file = env.STEWARD_CONFIG?.trim();
  if (!file) return {};
  const path = absolute(file, cwd);
  if (!existsSync(path)) {
    throw new ConfigError([
      `STEWARD_CONFIG: expected a readable env file, but ${path} does not exist`,
    ]);
  }
  try {
    return parseEnvFile(readFileSync(path));
  } catch (error) {
    throw new ConfigError([`STEWARD_CONFIG: cannot read ${path}: ${(error as Error).message}`]);
  }
}
