import { Controller, Get, type INestApplication, Post, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { isPermission } from '@steward/identity';
import { createLogger } from '@steward/platform';
import { Public, RequirePermission } from '@steward/runtime';
import { createTestSetup, LogCapture, type TestSetup } from '@steward/testing';
import { createServer } from './create-server';
import { routePolicy, type RoutePolicy } from './http/route-policy';

interface Route {
  readonly name: string;
  readonly method: string;
  readonly paths: readonly string[];
  readonly policy: RoutePolicy;
}

type ControllerClass = abstract new (...args: never[]) => object;

/** A controller's or a handler's path metadata (a path or a list of paths) as a list. */
function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((p): p is string => typeof p === 'string');
  return [''];
}

function join(...parts: string[]): string {
  return `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

/** Every route handler of these controllers, with what it declares (as the AuthGuard reads it). */
function routesOf(controllers: readonly ControllerClass[]): Route[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  return controllers.flatMap((controller) => {
    const prototype = controller.prototype as Record<string, unknown>;
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
    return scanner.getAllMethodNames(prototype).flatMap((name): Route[] => {
      const handler = prototype[name] as (...args: never[]) => unknown;
      const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (path === undefined) return []; // a helper method, not a route
      const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
      return [
        {
          name: `${controller.name}.${name}`,
          method: RequestMethod[verb],
          paths: prefixes.flatMap((prefix) => asList(path).map((p) => join(prefix, p))),
          policy: routePolicy(reflector, handler, controller),
        },
      ];
    });
  });
}

function undeclared(routes: readonly Route[]): string[] {
  return routes.filter((r) => r.policy.kind === 'undeclared').map((r) => r.name);
}

describe('every route of the server declares who may call it', () => {
  let setup: TestSetup;
  let app: INestApplication;
  let base: string;
  let routes: Route[];

  beforeAll(async () => {
    setup = await createTestSetup();
    app = await createServer({
      config: setup.config,
      secrets: setup.secrets,
      logger: createLogger('warn', new LogCapture()),
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    const controllers = app
      .get(DiscoveryService)
      .getControllers()
      .map((wrapper) => wrapper.metatype as ControllerClass | null)
      .filter((metatype): metatype is ControllerClass => typeof metatype === 'function');
    routes = routesOf(controllers);
  });

  afterAll(async () => {
    await app?.close();
    await setup?.cleanup();
  });

  it('finds the routes of the running server', () => {
    const found = routes.flatMap((r) => r.paths.map((p) => `${r.method} ${p}`));
    expect(found).toEqual(
      expect.arrayContaining(['GET /healthz', 'GET /readyz', 'GET /api/v2/users/me.json']),
    );
  });

  it('has no route that declares neither @Public() nor @RequirePermission()', () => {
    expect(undeclared(routes)).toEqual([]);
  });

  it('asks only for permissions the policy knows', () => {
    const unknown = routes.flatMap((r) =>
      r.policy.kind === 'permission' && !isPermission(r.policy.permission)
        ? [`${r.name}: ${r.policy.permission}`]
        : [],
    );
    expect(unknown).toEqual([]);
  });

  it('answers every route that needs a permission with 401 when called without credentials', async () => {
    const guarded = routes.filter((r) => r.policy.kind === 'permission');
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      for (const path of route.paths) {
        const res = await fetch(`${base}${path.replace(/:[A-Za-z_]+/g, '1')}`, {
          method: route.method,
        });
        expect([`${route.method} ${path}`, res.status]).toEqual([`${route.method} ${path}`, 401]);
      }
    }
  });

  describe('the walk itself', () => {
    @Controller('examples')
    class ExampleController {
      @Get('open')
      @Public()
      open(): void {}

      @Get('mine')
      @RequirePermission('users.me')
      mine(): void {}

      @Post('forgotten')
      forgotten(): void {}

      helper(): void {}
    }

    it('reports a route that declares neither, and only that one', () => {
      const example = routesOf([ExampleController]);
      expect(example.map((r) => `${r.method} ${r.paths.join()}`)).toEqual([
        'GET /examples/open',
        'GET /examples/mine',
        'POST /examples/forgotten',
      ]);
      expect(undeclared(example)).toEqual(['ExampleController.forgotten']);
    });
  });
});
