import type { Command } from 'commander';
import { loadConfig, readSecrets, writeSecrets } from '@steward/platform';
import { LocalEncryptedBlobStore } from '@steward/storage';
import { say } from './output';

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('manage the key-encryption keys of the blob store');
  keys
    .command('rotate')
    .description('make a new key-encryption key current and re-wrap every data key with it')
    .action(async () => {
      const config = loadConfig();
      const secrets = readSecrets(config.secretsFile);
      const keyring = secrets.keyring.withNewKey();
      // The new key is saved first: if re-wrapping stops half-way, running rotate again
      // finishes it, and every blob stays readable meanwhile (old keys are kept).
      writeSecrets(config.secretsFile, { ...secrets, keyring });
      say(`new key-encryption key ${keyring.currentId} is now current`);
      const store = new LocalEncryptedBlobStore(config.storageDir, keyring);
      const result = await store.rewrap(keyring);
      say(
        `re-wrapped ${result.rewrapped} data key(s); ${result.unchanged} already used the new key`,
      );
      const retired = keyring.keys.map((k) => k.id).filter((id) => id !== keyring.currentId);
      if (retired.length > 0) {
        say(`older keys kept for backups made before today: ${retired.join(', ')}`);
      }
      say('restart Steward processes so they use the new key; escrow the secrets file again');
    });
}
