// The YAML config's schema. zod is the single definition: the loader validates with it and
// `npm run schema` writes resources/config.schema.json from it for editors (yaml-language-server).
import { z } from 'zod';
import { ENDPOINTS } from '../../../common/health';
import { DEFAULT_RULES } from '../../../common/thresholds';
import { effectiveRules } from '../alerts/alertRules';

const id = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be lowercase letters, digits, "_", "." or "-" (max 63)');

const seconds = (min: number, max: number) => z.number().min(min).max(max);

// ---- ssh (docs/ssh.md): with sshAlias, what the entry leaves out comes from ssh_config, so no
// defaults are filled in for it; without, the old defaults (port 22, user root, …) apply
export const HostConfig = z
  .object({
    id,
    label: z.string().min(1).max(100).optional().describe('shown in the UI; defaults to the id'),
    sshAlias: z
      .string()
      .regex(/^[A-Za-z0-9._@:-]{1,253}$/, 'must be a Host alias from the ssh_config file (letters, digits, ".", "_", "-")')
      .optional()
      .describe('a Host alias from ssh.configFile: address, port, user, keys, ProxyJump/ProxyCommand, keepalive and known_hosts come from it unless set here'),
    address: z.string().min(1).max(253).optional().describe('DNS name or IP the SSH connection goes to (required without sshAlias)'),
    port: z.number().int().min(1).max(65535).optional().describe('default 22, or the ssh_config Port with sshAlias'),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'not a valid Unix user name')
      .optional()
      .describe('default root, or the ssh_config User with sshAlias'),
    identityFile: z.string().min(1).optional().describe('private key file; ~ is expanded'),
    knownHostsFile: z
      .string()
      .min(1)
      .optional()
      .describe("this host's known_hosts; default: ssh_config's UserKnownHostsFile with sshAlias, else the top-level knownHostsFile"),
    keepaliveSeconds: seconds(1, 600).optional(),
    keepaliveCountMax: z.number().int().min(1).max(20).optional(),
    connectTimeoutSeconds: seconds(1, 120).optional(),
  })
  .strict()
  .refine((host) => host.address !== undefined || host.sshAlias !== undefined, { message: 'needs "address" or "sshAlias"', path: ['address'] })
  .transform((host) =>
    host.sshAlias !== undefined
      ? host
      : {
          ...host,
          port: host.port ?? 22,
          user: host.user ?? 'root',
          keepaliveSeconds: host.keepaliveSeconds ?? 15,
          keepaliveCountMax: host.keepaliveCountMax ?? 3,
          connectTimeoutSeconds: host.connectTimeoutSeconds ?? 10,
        },
  );
export type HostConfig = z.output<typeof HostConfig>;

export const SshSettings = z
  .object({
    configFile: z
      .string()
      .min(1)
      .max(1024)
      .default('~/.ssh/config')
      .describe('the OpenSSH client config every connection is resolved through; a missing file counts as empty'),
    knownHostsPolicy: z
      .enum(['yes', 'accept-new', 'ask'])
      .default('ask')
      .describe(
        'unknown host keys: refuse (yes), pin silently (accept-new) or ask in the console (ask); a changed key is always refused unless you type the host name',
      ),
    maxConcurrentHandshakes: z
      .number()
      .int()
      .min(1)
      .max(128)
      .default(16)
      .describe('SSH handshakes in flight at once when many hosts connect or come back together (the cap adapts below this while the console stalls)'),
    handshakeLagLimitMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(100)
      .describe(
        'a stall of the console longer than this while hosts connect halves the handshake cap, which climbs back once it keeps up; 0 keeps the cap fixed',
      ),
    rememberPassphrases: z
      .boolean()
      .default(false)
      .describe(
        "keep key passphrases between sessions, encrypted by the OS keychain through Electron's safeStorage (desktop app only; never in clear). Off: kept in memory for the session only",
      ),
  })
  .strict();
export type SshSettings = z.output<typeof SshSettings>;

export const HealthConfig = z
  .object({
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
      .default('http://127.0.0.1:8000')
      .describe('base URL of the health API as seen from the host named in "via" (or from this machine when "via" is absent)'),
    via: id.optional().describe('host whose SSH connection carries the polls (a port forward); omit to poll directly'),
    intervalSeconds: seconds(1, 3600).default(5),
    intervals: z.partialRecord(z.enum(ENDPOINTS), seconds(1, 3600)).default({}).describe('per-endpoint poll intervals overriding intervalSeconds'),
    timeoutSeconds: seconds(0.5, 120).default(4),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    maxBackoffSeconds: seconds(1, 3600).default(60),
  })
  .strict();
export type HealthConfig = z.output<typeof HealthConfig>;

// ---- hosts, terminal, tunnels (docs/hosts.md)
export const DashboardConfig = z
  .object({
    name: z.string().min(1).max(100),
    port: z.number().int().min(1).max(65535).describe("port on the host's 127.0.0.1"),
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/, 'must start with "/" and hold only URL path characters')
      .default('/'),
  })
  .strict();
export const EscalationConfig = z
  .object({
    pagerduty: z
      .url({ protocol: /^https$/, message: 'must be an https:// URL' })
      .optional()
      .describe('PagerDuty service URL'),
    ticket: z
      .url({ protocol: /^https$/, message: 'must be an https:// URL' })
      .optional()
      .describe('ticket system URL (new ticket)'),
    logs: z
      .url({ protocol: /^https$/, message: 'must be an https:// URL' })
      .optional()
      .describe('log platform URL'),
  })
  .strict();
export const HostViewConfig = z
  .object({
    refreshSeconds: seconds(1, 3600).default(10),
    diskAmberPct: z.number().min(1).max(100).default(80),
    diskRedPct: z.number().min(1).max(100).default(90),
    units: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z0-9:_.\\@-]{1,200}\.(service|socket|timer|target|mount|path)$/, 'must be a systemd unit name with its type, e.g. "x.service"'),
      )
      .max(50)
      .optional(),
  })
  .strict()
  .refine((v) => v.diskAmberPct < v.diskRedPct, { message: 'diskAmberPct must be below diskRedPct', path: ['diskAmberPct'] });
export const TerminalConfig = z
  .object({
    record: z.boolean().default(false).describe('record terminal output (asciicast v2, redacted); keystrokes are never recorded'),
    recordDir: z.string().min(1).optional().describe('defaults to "recordings" next to the audit file'),
  })
  .strict();

export const DeploymentConfig = z
  .object({
    id,
    name: z.string().min(1).max(100),
    hosts: z.array(id).min(1),
    health: HealthConfig.default(HealthConfig.parse({})),
    dashboards: z
      .array(DashboardConfig)
      .max(20)
      .optional()
      .describe("web dashboards on each host's localhost; default: Operations :3000/ops and Grafana :9090"),
    escalation: EscalationConfig.optional(),
  })
  .strict();
export type DeploymentConfig = z.output<typeof DeploymentConfig>;

// ---- history and alerts: overrides of the runbook thresholds, see docs/alerts.md
const AlertRuleOverride = z
  .object({
    enabled: z.boolean().optional(),
    fire: z.number().finite().optional().describe('fire line (ratios as 0..1, latencies in ms, token expiry in seconds)'),
    clear: z.number().finite().optional().describe('clear line; defaults to the fire line minus the default gap'),
    critical: z.number().finite().nullable().optional().describe('past this the alert is critical; null: never'),
    pendingSeconds: seconds(0, 3600).optional(),
  })
  .strict();
export const AlertsConfig = z
  .object({
    pendingSeconds: seconds(0, 3600).default(30).describe('how long a condition must hold before its alert fires'),
    hostUnreachableSeconds: seconds(0, 3600)
      .default(30)
      .describe("how long a host's SSH link must fail (refused, timed out, unresponsive) before its 'cannot be reached' alert fires"),
    rules: z
      .partialRecord(z.enum(DEFAULT_RULES.map((rule) => rule.id) as [string, ...string[]]), AlertRuleOverride)
      .default({})
      .describe('per-rule overrides by rule id'),
    notifications: z
      .object({
        enabled: z.boolean().default(true),
        perAlertSeconds: seconds(0, 86_400).default(600).describe('at most one desktop notification per problem in this window'),
        maxPerHour: z.number().int().min(0).max(1000).default(20).describe('and at most this many per rolling hour in all'),
      })
      .strict()
      .default({ enabled: true, perAlertSeconds: 600, maxPerHour: 20 }),
  })
  .strict()
  .superRefine((config, ctx) => {
    try {
      effectiveRules(config);
    } catch (error) {
      // "alerts.rules.<id>: why" -> path rules.<id>, so the loader names the rule's own line
      const message = (error as Error).message;
      const named = /^alerts\.rules\.([^:]+): (.*)$/s.exec(message);
      ctx.addIssue({ code: 'custom', path: named ? ['rules', named[1]!] : ['rules'], message: named ? named[2]! : message });
    }
  });
export type AlertsConfig = z.output<typeof AlertsConfig>;

export const OpsdeckConfig = z
  .object({
    user: z.string().min(1).max(100).optional().describe('name recorded in the audit log; defaults to the OS user'),
    knownHostsFile: z.string().min(1).default('~/.ssh/known_hosts'),
    ssh: SshSettings.default({
      configFile: '~/.ssh/config',
      knownHostsPolicy: 'ask',
      maxConcurrentHandshakes: 16,
      handshakeLagLimitMs: 100,
      rememberPassphrases: false,
    }).describe('ssh_config and host-key policy'),
    auditFile: z.string().min(1).optional().describe('defaults to the platform state folder, e.g. ~/.local/state/opsdeck/audit.jsonl'),
    hosts: z.array(HostConfig).default([]),
    deployments: z.array(DeploymentConfig).default([]),
    actions: z
      .object({
        maxConcurrency: z.number().int().min(1).max(200).default(10),
        blastRadius: z.number().int().min(1).max(1000).default(20).describe('refuse an action aimed at more hosts than this'),
      })
      .strict()
      .default({ maxConcurrency: 10, blastRadius: 20 }),
    alerts: AlertsConfig.optional(),
    hostView: HostViewConfig.optional(),
    terminal: TerminalConfig.optional(),
    runbooks: z
      .object({
        folders: z.array(z.string().min(1).max(1024)).max(50).default([]).describe('folders of Markdown runbooks shown beside the bundled ones; ~ is expanded'),
      })
      .strict()
      .optional()
      .describe('runbook viewer'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const hostIds = new Set<string>();
    config.hosts.forEach((host, index) => {
      if (hostIds.has(host.id)) ctx.addIssue({ code: 'custom', path: ['hosts', index, 'id'], message: `duplicate host id "${host.id}"` });
      hostIds.add(host.id);
    });
    const deploymentIds = new Set<string>();
    config.deployments.forEach((deployment, index) => {
      if (deploymentIds.has(deployment.id)) {
        ctx.addIssue({ code: 'custom', path: ['deployments', index, 'id'], message: `duplicate deployment id "${deployment.id}"` });
      }
      deploymentIds.add(deployment.id);
      deployment.hosts.forEach((hostId, hostIndex) => {
        if (!hostIds.has(hostId)) {
          ctx.addIssue({ code: 'custom', path: ['deployments', index, 'hosts', hostIndex], message: `unknown host "${hostId}"` });
        }
      });
      const via = deployment.health.via;
      if (via !== undefined && !hostIds.has(via)) {
        ctx.addIssue({ code: 'custom', path: ['deployments', index, 'health', 'via'], message: `unknown host "${via}"` });
      }
    });
  });
export type OpsdeckConfig = z.output<typeof OpsdeckConfig>;
