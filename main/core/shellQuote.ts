/**
 * Quote one word for a POSIX shell (bash, dash): inside single quotes nothing is special, so the
 * only character to handle is the single quote itself ('\'' closes, escapes one, reopens).
 * Words made only of characters no shell treats specially are left bare so previews stay
 * readable.
 *
 * Hand-written rather than `shell-quote` on purpose: shell-quote's quote() escapes with
 * backslashes and double quotes, whose rules differ between shells and once let `$` through
 * (CVE-2021-42740); these five lines are the whole rule and easy to audit.
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a shell word cannot contain a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
