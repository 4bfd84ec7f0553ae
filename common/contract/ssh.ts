// SSH: the questions main asks the user (passphrases, host keys), importing hosts from
// ssh_config, and connecting a host on demand. No field ever carries a secret towards the page.
import { z } from 'zod';
import { Empty, DeploymentId, HostId } from './ids';

export const SshPromptId = z.string().regex(/^sshp-[a-f0-9]{16}$/, 'not an SSH prompt id');
const HostKeyFields = { hostId: HostId.nullable(), host: z.string(), port: z.number().int(), keyType: z.string(), fingerprint: z.string() };
/** A question main asks the user. No field ever carries a secret. */
export const SshPrompt = z.discriminatedUnion('kind', [
  z.object({
    promptId: SshPromptId,
    kind: z.literal('passphrase'),
    hostId: HostId.nullable(),
    keyPath: z.string(),
    retry: z.boolean(),
    /** the user opted in (ssh.rememberPassphrases) and the OS can encrypt it: kept for the next session too */
    remember: z.boolean(),
  }),
  z.object({ promptId: SshPromptId, kind: z.literal('host-key-unknown'), ...HostKeyFields, knownHostsPath: z.string() }),
  z.object({
    promptId: SshPromptId,
    kind: z.literal('host-key-changed'),
    ...HostKeyFields,
    expected: z.array(z.object({ line: z.number().int(), keyType: z.string(), fingerprint: z.string() })),
    knownHostsPath: z.string(),
  }),
]);
export type SshPrompt = z.infer<typeof SshPrompt>;

export const sshCalls = {
  /** the concrete Host aliases of the user's ssh_config, resolved, grouped by the patterns that apply */
  listSshConfigHosts: {
    request: Empty,
    response: z.object({
      configFile: z.string(),
      hosts: z.array(
        z.object({
          alias: z.string(),
          hostName: z.string(),
          user: z.string(),
          port: z.number().int(),
          groups: z.array(z.string()),
          inFleet: z.boolean(),
          error: z.string().nullable(),
        }),
      ),
    }),
  },
  /**
   * append hosts to the Opsdeck config (comments kept, atomic, a .bak beside it); they are
   * applied at once (onFleet) unless restartNeeded says why not
   */
  importSshHosts: {
    request: z
      .object({
        aliases: z
          .array(z.string().regex(/^[A-Za-z0-9._@:-]{1,253}$/, 'not an ssh_config Host alias'))
          .min(1)
          .max(500),
        deploymentId: DeploymentId.optional(),
      })
      .strict(),
    response: z.object({
      added: z.array(z.object({ alias: z.string(), hostId: HostId })),
      configPath: z.string(),
      backupPath: z.string().nullable(),
      restartNeeded: z.boolean(),
      /** what happened to the running console: connecting now, or why only a restart applies it */
      note: z.string(),
    }),
  },
  /** questions waiting for the user (also pushed by onSshPrompt); never holds a secret */
  listSshPrompts: { request: Empty, response: z.object({ prompts: z.array(SshPrompt) }) },
  /** the passphrase goes main-ward once and stays in main's memory; a changed key needs typedHost equal to the host */
  answerSshPrompt: {
    request: z
      .object({
        promptId: SshPromptId,
        passphrase: z.string().max(4096).optional(),
        decision: z.enum(['accept-once', 'trust', 'refuse', 'replace']).optional(),
        typedHost: z.string().max(300).optional(),
      })
      .strict(),
    response: z.object({ accepted: z.boolean(), message: z.string() }),
  },
  /**
   * Connect a host now (the Retry / Connect control): a failed host tries again and asks again
   * what was cancelled or refused (passphrase, host key); false if it is already connected
   */
  connectHost: { request: z.object({ hostId: HostId }).strict(), response: z.object({ started: z.boolean() }) },
} as const;

export const sshEvents = {
  /** every open SSH question, whole list each time (a view that opens late calls listSshPrompts) */
  onSshPrompt: z.object({ prompts: z.array(SshPrompt) }),
} as const;
