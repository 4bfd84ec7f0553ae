// Appends ssh_config aliases to the Opsdeck YAML config as `sshAlias` hosts. The `yaml`
// package's Document API (already used by the config loader) edits the parsed document in place,
// so the user's comments and layout survive; the result is validated with the real schema before
// it replaces the file, atomically, with the previous version kept as `.bak`.
import { copyFile, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { isMap, isSeq, parseDocument, YAMLSeq, type YAMLMap } from 'yaml';
import { OpsFailure } from '../../../common/result';
import { parseConfig } from '../config/loadConfig';

export interface ImportRequest {
  /** aliases as listed by listSshConfigHosts (the caller checks they are in the ssh_config) */
  aliases: string[];
  /** add the new hosts to this deployment's host list too */
  deploymentId?: string;
}

export interface ImportResult {
  added: { alias: string; hostId: string }[];
  configPath: string;
  backupPath: string | null;
}

/** A host id from an alias: lowercase, only the characters ids allow, unique in the file. */
export function hostIdFor(alias: string, taken: Set<string>): string {
  let base = alias
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 56);
  if (!base) base = 'host';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** Edit the YAML text: returns the new text and the ids given. Throws OpsFailure naming what is wrong. */
export function addSshHostsToYaml(text: string, file: string, request: ImportRequest): { text: string; added: ImportResult['added'] } {
  // the file as it is must be valid: never build on top of a config the console would refuse
  parseConfig(text, file);
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
  let hosts = doc.get('hosts', true);
  if (!isSeq(hosts)) {
    hosts = new YAMLSeq();
    doc.set('hosts', hosts);
  }
  const seq = hosts as YAMLSeq;
  // `hosts: []` in the example: write block style so each host gets its own line
  if (seq.items.length === 0) seq.flow = false;
  const existing = seq.items.filter(isMap) as YAMLMap[];
  const taken = new Set(existing.map((m) => String(m.get('id'))));
  const aliasesInFile = new Set(existing.map((m) => m.get('sshAlias')).filter((a) => typeof a === 'string'));
  const added: ImportResult['added'] = [];
  for (const alias of [...new Set(request.aliases)]) {
    if (aliasesInFile.has(alias)) throw new OpsFailure('conflict', `"${alias}" is already in ${file} (a host with sshAlias ${alias})`);
    const hostId = hostIdFor(alias, taken);
    seq.add(doc.createNode({ id: hostId, label: alias, sshAlias: alias }));
    added.push({ alias, hostId });
  }
  if (request.deploymentId !== undefined) {
    const deployments = doc.get('deployments', true);
    const target = isSeq(deployments) ? (deployments.items.find((d) => isMap(d) && d.get('id') === request.deploymentId) as YAMLMap | undefined) : undefined;
    if (!target) throw new OpsFailure('not-found', `no deployment "${request.deploymentId}" in ${file}`);
    const list = target.get('hosts', true);
    if (!isSeq(list)) throw new OpsFailure('bad-request', `deployment "${request.deploymentId}" in ${file} has no hosts list`);
    for (const a of added) (list as YAMLSeq).add(a.hostId);
  }
  const out = doc.toString();
  // the edit must itself be a config the console accepts, or nothing is written
  parseConfig(out, file);
  return { text: out, added };
}

/** Read, edit, validate, write `file.tmp`, keep `file.bak`, rename over the file. */
export async function importSshHosts(file: string, request: ImportRequest): Promise<ImportResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new OpsFailure('not-found', `cannot read the Opsdeck config ${file}: ${(err as Error).message}`);
  }
  const { text: next, added } = addSshHostsToYaml(text, file, request);
  const mode = (await stat(file)).mode & 0o777;
  const backupPath = `${file}.bak`;
  const tmp = `${file}.opsdeck-import-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, next, { mode });
    await copyFile(file, backupPath);
    // the re-read guards against an edit made by hand while the user was picking hosts
    if ((await readFile(file, 'utf8')) !== text) throw new OpsFailure('conflict', `${file} changed while importing; nothing was written, try again`);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  return { added, configPath: file, backupPath };
}
