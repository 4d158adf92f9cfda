import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
  type SecurityRequirementObject,
} from '@nestjs/swagger';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth/cookies';
import { routePolicy, type RoutePolicy } from '../http/route-policy';
import { ref, SCHEMAS } from './schemas';

/**
 * The server URL of the exported docs/openapi.json: an installation's default
 * STEWARD_PUBLIC_URL, so that the file does not depend on who exported it. The served document
 * names the installation's own STEWARD_PUBLIC_URL instead.
 */
export const EXPORTED_PUBLIC_URL = 'http://localhost:3000';

/** The extension that names the permission an operation needs (from `@RequirePermission()`). */
export const PERMISSION_EXTENSION = 'x-steward-permission';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** With the session cookie these also need the CSRF token (http/auth.guard.ts). */
const UNSAFE = new Set<string>(['post', 'put', 'patch', 'delete']);

/** The root of the Steward package (where package.json and docs/ are), from src or dist. */
export function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (
      existsSync(file) &&
      (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'steward'
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`no Steward package.json above ${__dirname}`);
  }
}

function packageVersion(): string {
  const file = join(packageRoot(), 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

type ControllerClass = abstract new (...args: never[]) => object;

/**
 * What every route handler declares, by `<Controller>_<method>` (the operation ids Nest's
 * swagger scanner gives), read exactly as the AuthGuard reads it.
 */
function routePolicies(app: INestApplication): Map<string, RoutePolicy> {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const policies = new Map<string, RoutePolicy>();
  // The controllers the swagger scanner walks: every module's, as the container holds them.
  const wrappers = [...app.get(ModulesContainer).values()].flatMap((m) => [
    ...m.controllers.values(),
  ]);
  for (const wrapper of wrappers) {
    const controller = wrapper.metatype as ControllerClass | null;
    if (typeof controller !== 'function') continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as (...args: never[]) => unknown;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
      policies.set(`${controller.name}_${name}`, routePolicy(reflector, handler, controller));
    }
  }
  return policies;
}

/** Who may call an operation: nobody needs credentials, or any of the three ways to sign in. */
function security(method: string, policy: RoutePolicy): SecurityRequirementObject[] {
  if (policy.kind === 'public') return [];
  const cookie: SecurityRequirementObject = UNSAFE.has(method)
    ? { cookieAuth: [], csrfToken: [] }
    : { cookieAuth: [] };
  return [{ basicAuth: [] }, { bearerAuth: [] }, cookie];
}

/**
 * Adds what the route metadata says to each operation: `security` (none for `@Public()`), the
 * permission it needs and the 401/403 answers of the AuthGuard; and gives the aliases of a
 * route (`users.json` and `users`) distinct operation ids (`Users_list`, `Users_list_1`).
 */
function applyRoutePolicies(document: OpenAPIObject, policies: Map<string, RoutePolicy>): void {
  for (const [path, item] of Object.entries<PathItemObject>(document.paths)) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      const match = /^(\w+)Controller_(\w+)(?:\[(\d+)\])?$/.exec(operation.operationId ?? '');
      const policy = match ? policies.get(`${match[1]}Controller_${match[2]}`) : undefined;
      if (!match || !policy) {
        throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} has no route handler`);
      }
      if (policy.kind === 'undeclared') {
        throw new Error(
          `OpenAPI: ${method.toUpperCase()} ${path} declares neither @Public() nor @RequirePermission()`,
        );
      }
      const [, controller, handler, alias] = match;
      operation.operationId = `${controller}_${handler}${alias && alias !== '0' ? `_${alias}` : ''}`;
      operation.security = security(method, policy);
      if (policy.kind === 'permission') {
        Object.assign(operation, { [PERMISSION_EXTENSION]: policy.permission });
        operation.responses['401'] ??= {
          description: 'No credentials, or wrong ones',
          content: { 'application/json': { schema: ref('Error') } },
        };
        operation.responses['403'] ??= {
          description: 'The user lacks the permission (or, with the cookie, the CSRF token)',
          content: { 'application/json': { schema: ref('Error') } },
        };
      }
    }
  }
}

/** The same value with every object's keys sorted, so the JSON text is stable. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

/**
 * The OpenAPI 3 document of the running application's routes: built by Nest's swagger scanner
 * from the controllers' decorators, then completed from the route metadata the AuthGuard reads,
 * so `security` and `x-steward-permission` cannot drift from what the server enforces.
 */
export function buildOpenApiDocument(app: INestApplication, publicUrl: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Steward API')
    .setDescription(
      'The REST API of Steward, in the wire format of the Zendesk Support API v2 (paths, ' +
        'envelopes, snake_case fields, pagination, error bodies). Authenticate with an API ' +
        'token (HTTP Basic `email/token:TOKEN` or Bearer) or the web session cookie.',
    )
    .setVersion(packageVersion())
    .addServer(publicUrl, 'This installation (STEWARD_PUBLIC_URL)')
    .addSecurity('basicAuth', {
      type: 'http',
      scheme: 'basic',
      description: 'Zendesk API token form: user name `email/token`, password the API token',
    })
    .addSecurity('bearerAuth', { type: 'http', scheme: 'bearer', description: 'An API token' })
    .addSecurity('cookieAuth', {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description: 'The web session, opened by POST /api/v2/session',
    })
    .addSecurity('csrfToken', {
      type: 'apiKey',
      in: 'header',
      name: CSRF_HEADER,
      description:
        'With the session cookie, POST, PUT, PATCH and DELETE also need the `csrf_token` of ' +
        'the session (also in the steward_csrf cookie)',
    })
    .build();
  config.components = { ...config.components, schemas: SCHEMAS };
  const document = SwaggerModule.createDocument(app, config, { autoTagControllers: false });
  applyRoutePolicies(document, routePolicies(app));
  return sortKeys(document) as OpenAPIObject;
}

/** docs/openapi.json's text: sorted keys, 2-space indent, a final newline; no time stamps. */
export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

/**
 * Where the exported file and the generated document differ, as JSON pointers
 * (`/paths/~1api~1v2~1users.json/get/summary`), for a drift message that says what changed.
 */
export function jsonDifferences(file: unknown, generated: unknown, at = ''): string[] {
  if (
    typeof file !== 'object' ||
    typeof generated !== 'object' ||
    file === null ||
    generated === null ||
    Array.isArray(file) !== Array.isArray(generated)
  ) {
    return Object.is(file, generated) ? [] : [at || '/'];
  }
  const keys = new Set([...Object.keys(file), ...Object.keys(generated)]);
  return [...keys].sort().flatMap((key) => {
    const pointer = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!Object.hasOwn(file, key)) return [`${pointer} (only in the generated document)`];
    if (!Object.hasOwn(generated, key)) return [`${pointer} (only in the file)`];
    return jsonDifferences(
      (file as Record<string, unknown>)[key],
      (generated as Record<string, unknown>)[key],
      pointer,
    );
  });
}
