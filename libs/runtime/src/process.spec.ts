import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SERVER_NODE_OPTIONS } from './process';

describe('the Node.js options of the long-running processes', () => {
  const scripts = (
    JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;

  it.each(['start', 'start:worker'])('are what `npm run %s` passes', (script) => {
    expect(scripts[script]).toBe(
      `node ${SERVER_NODE_OPTIONS.join(' ')} ${script === 'start' ? 'dist/apps/server/src/main.js' : 'dist/apps/worker/src/main.js'}`,
    );
  });
});
