// The lint rule that keeps records keyed by outside data free of Object.prototype
// (eslint.config.js, prototypeFreeRecords): run through ESLint itself on the shapes it must
// refuse and the ones it must let through.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function messages(code: string, filePath = 'renderer/src/history/probe.ts'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('prototype-free records lint rule', () => {
  it('refuses the history seeding bug: r[item] ??= … on a plain object', async () => {
    const code =
      'export function f(items: string[]) {\n  const lines: Record<string, number[]> = {};\n  for (const item of items) (lines[item] ??= []).push(1);\n  return lines;\n}\n';
    const found = await messages(code);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/emptyRecord\(\)/);
    expect(found[1]).toMatch(/\?\?= … on a plain object/);
  });

  it('refuses `{} as Record<string, …>` and a class field initialised with {}', async () => {
    const code = 'export const a = {} as Record<string, number>;\nexport class C {\n  byName: Record<string, number> = {};\n}\n';
    expect(await messages(code, 'main/core/health/probe.ts')).toHaveLength(2);
  });

  it('refuses Object.fromEntries, whose record inherits Object.prototype, and lets recordFrom through', async () => {
    const code = 'export const byHost = (hosts: { id: string }[]) => Object.fromEntries(hosts.map((h) => [h.id, 0]));\n';
    const found = await messages(code, 'renderer/src/store/probe.ts');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/recordFrom\(\)/);
    const fixed =
      "import { recordFrom } from '../../../common/emptyRecord';\nexport const byHost = (hosts: { id: string }[]) => recordFrom(hosts.map((h) => [h.id, 0] as const));\n";
    expect(await messages(fixed, 'renderer/src/store/probe.ts')).toEqual([]);
  });

  it('lets through null-prototype records, Maps and records over a fixed key union', async () => {
    const code = [
      "import { emptyRecord } from '../../../common/emptyRecord';",
      'type Endpoint = "sla" | "workers";',
      'export const a = emptyRecord<number>();',
      'export const m = new Map<string, number>();',
      'export const b: Record<Endpoint, number> = { sla: 1, workers: 2 };',
      'export const c: Partial<Record<Endpoint, number>> = {};',
      '',
    ].join('\n');
    expect(await messages(code)).toEqual([]);
  });
});
