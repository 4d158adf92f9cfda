import type { Command } from 'commander';
import { runDoctor } from '@steward/runtime';
import { say } from './output';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check configuration, secrets, storage, database, migrations and Redis')
    .action(async () => {
      const checks = await runDoctor();
      const width = Math.max(...checks.map((c) => c.name.length));
      for (const check of checks) {
        say(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(width)}  ${check.detail}`);
        if (!check.ok && check.hint) say(`${' '.repeat(width + 8)}hint: ${check.hint}`);
      }
      const failed = checks.filter((c) => !c.ok).length;
      say(failed === 0 ? '\nall checks passed' : `\n${failed} check(s) failed`);
      if (failed > 0) process.exitCode = 1;
    });
}
