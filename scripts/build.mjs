// Compiles apps and libs to dist/ and rewrites the @steward/* path aliases to relative paths,
// so the output runs on plain Node.js without a loader.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
