import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { routePolicy, type RoutePolicy } from './http/route-policy';
import {
  buildOpenApiDocument,
  EXPORTED_PUBLIC_URL,
  jsonDifferences,
  packageRoot,
  PERMISSION_EXTENSION,
  serializeOpenApi,
} from './openapi/openapi-document';
import { ANONYMOUS, useApiHarness } from './testing/api-harness';

type ControllerClass = abstract new (...args: never[]) => object;

interface Route {
  readonly name: string;
  /** `get /api/v2/users/{id}.json`, as the document names it. */
  readonly operation: string;
  readonly policy: RoutePolicy;
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((p): p is string => typeof p === 'string');
  return [''];
}

/** Every path and method of the running server, as the route walk (routes.e2e-spec.ts) sees it. */
function routesOf(controllers: readonly ControllerClass[]): Route[] {
  const reflector = new Reflector();
  return controllers.flatMap((controller) => {
    const prototype = controller.prototype as Record<string, unknown>;
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
    return new MetadataScanner().getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name] as (...args: never[]) => unknown;
      const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) return [];
      const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const policy = routePolicy(reflector, handler, controller);
      return prefixes.flatMap((prefix) =>
        asList(path).map((p) => {
          const full = `/${prefix}/${p}`
            .replace(/\/+/g, '/')
            .replace(/(.)\/$/, '$1')
            .replace(/:([A-Za-z_]\w*)/g, '{$1}');
          return {
            name: `${controller.name}.${name}`,
            operation: `${verb.toLowerCase()} ${full}`,
            policy,
          };
        }),
      );
    });
  });
}

/** Every operation of a document, by `get /path`. */
function operationsOf(document: OpenAPIObject): Map<string, OperationObject> {
  const operations = new Map<string, OperationObject>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, OperationObject>)) {
      operations.set(`${method} ${path}`, operation);
    }
  }
  return operations;
}

describe('the OpenAPI document', () => {
  const api = useApiHarness();
  let routes: Route[];
  let served: OpenAPIObject;
  let operations: Map<string, OperationObject>;

  beforeAll(async () => {
    const controllers = api.app
      .get(DiscoveryService)
      .getControllers()
      .map((wrapper) => wrapper.metatype as ControllerClass | null)
      .filter((metatype): metatype is ControllerClass => typeof metatype === 'function');
    routes = routesOf(controllers);
    const res = await api.call(ANONYMOUS, 'GET', '/api/v2/openapi.json');
    expect(res.status).toBe(200);
    served = res.body as unknown as OpenAPIObject;
    operations = operationsOf(served);
  });

  it('is served anonymously at GET /api/v2/openapi.json as an OpenAPI 3 document', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(served.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(served.info).toMatchObject({ title: 'Steward API', version: pkg.version });
    expect(served.servers).toEqual([expect.objectContaining({ url: api.config.publicUrl })]);
    expect(Object.keys(served.components?.securitySchemes ?? {}).sort()).toEqual([
      'basicAuth',
      'bearerAuth',
      'cookieAuth',
      'csrfToken',
    ]);
  });

  it('has every route of the server, with its method', () => {
    expect(routes.length).toBeGreaterThan(0);
    const missing = routes.filter((r) => !operations.has(r.operation)).map((r) => r.operation);
    expect(missing).toEqual([]);
    expect(operations.size).toBe(new Set(routes.map((r) => r.operation)).size);
  });

  it('names the permission of each route from @RequirePermission(), and no security for @Public()', () => {
    const found = routes.map((route) => {
      const operation = operations.get(route.operation) as Record<string, unknown> | undefined;
      return {
        route: route.operation,
        security: operation?.security,
        permission: operation?.[PERMISSION_EXTENSION],
      };
    });
    const expected = routes.map((route) =>
      route.policy.kind === 'permission'
        ? {
            route: route.operation,
            security: expect.arrayContaining([{ basicAuth: [] }, { bearerAuth: [] }]) as unknown,
            permission: route.policy.permission,
          }
        : { route: route.operation, security: [], permission: undefined },
    );
    expect(found).toEqual(expected);
    expect(routes.some((r) => r.policy.kind === 'public')).toBe(true);
    expect(routes.some((r) => r.policy.kind === 'permission')).toBe(true);
  });

  it('asks for the CSRF token with the session cookie on the methods that change state', () => {
    const post = operations.get('post /api/v2/groups.json');
    const get = operations.get('get /api/v2/groups.json');
    expect(post?.security).toContainEqual({ cookieAuth: [], csrfToken: [] });
    expect(get?.security).toContainEqual({ cookieAuth: [] });
  });

  it('gives every operation a summary, a tag and a unique operation id', () => {
    const undocumented = [...operations].flatMap(([name, operation]) =>
      operation.summary && (operation.tags?.length ?? 0) > 0 ? [] : [name],
    );
    expect(undocumented).toEqual([]);
    const ids = [...operations.values()].map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refers only to schemas it defines', () => {
    const refs = [...JSON.stringify(served).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(0);
    const unknown = refs.map(([, name]) => name).filter((n) => !served.components?.schemas?.[n]);
    expect(unknown).toEqual([]);
  });

  it('describes what a route answers: its envelope, its errors and the 401 of the guard', () => {
    const show = operations.get('get /api/v2/groups/{id}.json');
    expect(show?.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/GroupResponse' } } },
    });
    expect(show?.responses['404']).toBeDefined();
    expect(show?.responses['401']).toBeDefined();
  });

  it('is exported to docs/openapi.json (run `npm run openapi:export` when this fails)', () => {
    const generated = serializeOpenApi(buildOpenApiDocument(api.app, EXPORTED_PUBLIC_URL));
    const file = readFileSync(join(packageRoot(), 'docs', 'openapi.json'), 'utf8');
    expect(jsonDifferences(JSON.parse(file), JSON.parse(generated))).toEqual([]);
    expect(file).toBe(generated);
  });

  it("names the installation's STEWARD_PUBLIC_URL as its server, and nothing else differs", () => {
    const elsewhere = buildOpenApiDocument(api.app, 'https://help.example.com');
    expect(elsewhere.servers).toEqual([
      expect.objectContaining({ url: 'https://help.example.com' }),
    ]);
    expect({ ...served, servers: [] }).toEqual({ ...elsewhere, servers: [] });
  });
});

describe('jsonDifferences', () => {
  it('names each place where the file and the generated document differ', () => {
    const file = { paths: { '/a/b': { get: { summary: 'old' } }, '/gone': {} } };
    const generated = { paths: { '/a/b': { get: { summary: 'new' } }, '/new': {} } };
    expect(jsonDifferences(file, generated)).toEqual([
      '/paths/~1a~1b/get/summary',
      '/paths/~1gone (only in the file)',
      '/paths/~1new (only in the generated document)',
    ]);
  });
});
