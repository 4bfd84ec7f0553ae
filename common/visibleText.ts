// Outside text (health strings, runbook lines, action output) may carry characters that change
// what a reader sees without being seen themselves: bidirectional overrides that reorder a
// command ("Trojan Source"), zero-width characters that split a word, control characters,
// Unicode tag characters. Before such text is shown or copied, each of them becomes a visible
// escape `<U+202E>` and the caller gets a count to warn with. Text without any keeps its
// identity (the same string comes back), so the common case costs one regex test.

/**
 * What is escaped:
 * - Cf (format): bidi embeddings/overrides/isolates and marks, zero-width space/joiners,
 *   word joiner, invisible operators, BOM, soft hyphen, tag characters, Mongolian vowel
 *   separator, Arabic letter mark.
 * - Cc (control) except tab and line feed (carriage return, escape, NUL, DEL, C1 controls).
 * - Cs: a lone surrogate half (cannot be displayed, may be mangled on copy).
 * - Letters and marks that render as nothing: combining grapheme joiner, Hangul fillers,
 *   Khmer inherent vowels, braille blank.
 * One exception keeps emoji sequences intact: a zero-width joiner between two pictographs.
 */
// The class lists control and combining characters on purpose: they are what it finds.
const HIDDEN =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /\p{Extended_Pictographic}\u{FE0F}?\u{200D}(?=\p{Extended_Pictographic})|[\p{Cf}\p{Cs}\u{0000}-\u{0008}\u{000B}-\u{001F}\u{007F}-\u{009F}\u{034F}\u{115F}\u{1160}\u{17B4}\u{17B5}\u{2800}\u{3164}\u{FFA0}]/gu;
// eslint-disable-next-line no-misleading-character-class
const HIDDEN_TEST = new RegExp(HIDDEN.source, 'u');
const BIDI = /[\u{061C}\u{200E}\u{200F}\u{202A}-\u{202E}\u{2066}-\u{2069}]/u;

export interface VisibleText {
  /** The text with every hidden character replaced by `<U+XXXX>`. */
  readonly text: string;
  /** How many characters were escaped (0: `text` is the input itself). */
  readonly escaped: number;
  /** Whether any escaped character reorders text (bidi control): the stronger warning. */
  readonly bidi: boolean;
}

const codePointEscape = (ch: string): string => `<U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`;

/** Outside text made safe to show or copy: hidden characters become `<U+XXXX>` escapes. */
export function visibleText(input: string): VisibleText {
  if (!HIDDEN_TEST.test(input)) return { text: input, escaped: 0, bidi: false };
  let escaped = 0;
  let bidi = false;
  const text = input.replace(HIDDEN, (match) => {
    // A joiner inside an emoji sequence matched with its pictograph: keep both as they are.
    if (match.length > 1 && match.endsWith('\u200D')) return match;
    escaped++;
    if (BIDI.test(match)) bidi = true;
    return codePointEscape(match);
  });
  if (escaped === 0) return { text: input, escaped: 0, bidi: false };
  return { text, escaped, bidi };
}

/** A one-line warning for a text that had hidden characters, or undefined when it had none. */
export function hiddenCharacterWarning(v: VisibleText): string | undefined {
  if (v.escaped === 0) return undefined;
  const what = v.bidi ? 'invisible or text-reordering (bidirectional)' : 'invisible';
  const n = v.escaped === 1 ? `1 ${what} character` : `${v.escaped} ${what} characters`;
  return `${n} shown as <U+…>: the original text is not what it looks like`;
}
