// The commented example written on first run. With no hosts in it, Opsdeck opens the built-in
// demo fleet, so a new user sees something live before editing anything.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { OpsdeckConfig } from './configSchema';

export const EXAMPLE_CONFIG = `# yaml-language-server: $schema=./config.schema.json
# Opsdeck configuration. The full reference is docs/config.md; the JSON Schema for editors is
# resources/config.schema.json in the Opsdeck source.
#
# While "hosts" is empty, Opsdeck opens its built-in DEMO fleet (simulated hosts on this
# machine). Add your hosts and deployments below to watch real ones.

# Name written in the audit log (defaults to your OS user name).
# user: alice

# OpenSSH known_hosts file used to check every host key. Unknown or changed keys are refused.
knownHostsFile: ~/.ssh/known_hosts

hosts: []
#  - id: at-prod-1            # lowercase id used everywhere in Opsdeck
#    label: prod-1            # shown in the UI
#    address: 10.20.0.11      # what SSH connects to
#    port: 22
#    user: root
#    identityFile: ~/.ssh/id_ed25519
#  - id: at-prod-2
#    sshAlias: prod-2         # a Host of ~/.ssh/config: address, user, keys, ProxyJump from there

# Every host is resolved through your OpenSSH client config, as \`ssh\` would.
# ssh:
#   configFile: ~/.ssh/config
#   knownHostsPolicy: ask    # unknown host keys: yes (refuse) | accept-new | ask (in the console)
#   maxConcurrentHandshakes: 16   # handshakes at once when many hosts (re)connect together
#   handshakeLagLimitMs: 100      # a longer stall of the console halves that cap for a while; 0: fixed
#   rememberPassphrases: false    # true: key passphrases kept between sessions, encrypted by the OS keychain (desktop app only)

deployments: []
#  - id: prod
#    name: Autotrader production
#    hosts: [at-prod-1]
#    health:
#      url: http://127.0.0.1:8000   # the health API as seen from the "via" host
#      via: at-prod-1               # poll through an SSH port forward; omit to poll directly
#      intervalSeconds: 5
#      intervals: { security: 60 } # per-endpoint overrides
#      timeoutSeconds: 4

# actions:
#   maxConcurrency: 10   # hosts worked on at once when an action fans out
#   blastRadius: 20      # refuse an action aimed at more hosts than this
`;

export const configJsonSchema = (): object => z.toJSONSchema(OpsdeckConfig, { io: 'input', unrepresentable: 'any' });

/**
 * Write the example, and the JSON Schema beside it for editors, unless a config is already
 * there (never overwrite a user's config).
 */
export async function writeExampleConfig(file: string): Promise<boolean> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(join(dirname(file), 'config.schema.json'), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  try {
    await writeFile(file, EXAMPLE_CONFIG, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
