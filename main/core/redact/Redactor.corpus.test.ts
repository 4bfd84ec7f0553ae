// The Redactor measured against the secret corpus (secretCorpus.ts): every secret of a real
// provider's shape is hidden, and the innocent look-alikes are counted when touched. The false
// positives are printed so a change that adds some shows them.
import { describe, expect, it } from 'vitest';
import { LineRedactor, REDACTED, Redactor } from './Redactor';
import { INNOCENT_CASES, SECRET_CASES } from './secretCorpus';

const redactor = new Redactor();

/** Leaks a secret: the whole of it, or a run of 8 or more of its characters, still shows. */
function leaks(shown: string, secret: string): boolean {
  if (shown.includes(secret)) return true;
  const plain = shown.normalize('NFKC');
  for (let i = 0; i + 8 <= secret.length; i++) if (plain.includes(secret.slice(i, i + 8).normalize('NFKC'))) return true;
  return false;
}

describe('the secret corpus', () => {
  it('is large enough to mean something', () => {
    expect(SECRET_CASES.length).toBeGreaterThanOrEqual(100);
    expect(INNOCENT_CASES.length).toBeGreaterThanOrEqual(100);
    expect(new Set(SECRET_CASES.map((c) => c.kind)).size).toBeGreaterThanOrEqual(80);
  });

  it('hides every secret, through redact and through a stream cut into chunks', () => {
    const leaked = SECRET_CASES.filter((c) => leaks(redactor.redact(c.text), c.secret)).map((c) => `${c.kind}: ${redactor.redact(c.text)}`);
    expect(leaked).toEqual([]);
    const streamed = SECRET_CASES.filter((c) => {
      const stream = new LineRedactor(redactor);
      const chunks = [c.text.slice(0, 7), c.text.slice(7), '\n'];
      return leaks(chunks.flatMap((chunk) => stream.push(chunk)).join('\n'), c.secret);
    });
    expect(streamed.map((c) => c.kind)).toEqual([]);
    for (const c of SECRET_CASES) expect(redactor.redact(c.text), c.kind).toContain(REDACTED);
  });

  it('hides every secret inside a longer line: after a word and a colon, quoted, in a log line, in brackets', () => {
    const contexts = [
      (text: string) => `failed: ${text}`,
      (text: string) => `error: ${text}; retrying`,
      (text: string) => `echo '${text}'`,
      (text: string) => `2026-12-07 04:00:01 WARN worker-3 ${text}`,
      (text: string) => `(${text})`,
    ];
    const leaked = SECRET_CASES.flatMap((c) => contexts.map((line) => line(c.text)).filter((text) => leaks(redactor.redact(text), c.secret)));
    expect(leaked.map((text) => `${text} -> ${redactor.redact(text)}`)).toEqual([]);
  });

  it('keeps false positives on innocent look-alikes low, and prints them', () => {
    const touched = INNOCENT_CASES.filter((text) => redactor.redact(text) !== text);
    console.log(
      `redaction false positives: ${touched.length} of ${INNOCENT_CASES.length} innocent lines${touched.map((t) => `\n  ${JSON.stringify(t)} -> ${JSON.stringify(redactor.redact(t))}`).join('')}`,
    );
    expect(touched.length).toBeLessThanOrEqual(3);
  });

  it('returns innocent text with hidden characters as it was, so the page can still flag them', () => {
    expect(redactor.redact('evil\u202Egnp.exe')).toBe('evil\u202Egnp.exe');
    expect(redactor.redact('ﬁle ＡＢＣ')).toBe('ﬁle ＡＢＣ');
  });
});
