import { describe, expect, it } from 'vitest';
import { hiddenCharacterWarning, visibleText } from './visibleText';

describe('visibleText', () => {
  it('returns plain text as the same string, with no warning', () => {
    const s = 'systemctl restart autotrader-sla.service # ok: 3 µs, naïve café, 東京';
    const v = visibleText(s);
    expect(v).toEqual({ text: s, escaped: 0, bidi: false });
    expect(hiddenCharacterWarning(v)).toBeUndefined();
  });

  it('shows a Trojan Source line as what it really contains', () => {
    // Rendered, this reads "rm -rf /tmp/cache # safe"; the bytes say otherwise.
    const line = 'echo ok \u202E; rm -rf / #\u2066 safe\u2069';
    const v = visibleText(line);
    expect(v.text).toBe('echo ok <U+202E>; rm -rf / #<U+2066> safe<U+2069>');
    expect(v.escaped).toBe(3);
    expect(v.bidi).toBe(true);
    expect(hiddenCharacterWarning(v)).toBe(
      '3 invisible or text-reordering (bidirectional) characters shown as <U+…>: the original text is not what it looks like',
    );
  });

  it('escapes every bidi control', () => {
    for (const cp of [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      const v = visibleText(`a${String.fromCodePoint(cp)}b`);
      expect(v.text).toBe(`a<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>b`);
      expect(v.bidi).toBe(true);
    }
  });

  it('escapes zero-width, joiner, BOM, soft hyphen, tag, control and blank-rendering characters', () => {
    const cases: Array<[number, string]> = [
      [0x200b, 'zero-width space'],
      [0x200c, 'ZWNJ'],
      [0x200d, 'ZWJ outside emoji'],
      [0x2060, 'word joiner'],
      [0xfeff, 'BOM'],
      [0x00ad, 'soft hyphen'],
      [0x180e, 'Mongolian vowel separator'],
      [0x2062, 'invisible times'],
      [0xe0041, 'tag A'],
      [0x0000, 'NUL'],
      [0x001b, 'ESC'],
      [0x000d, 'CR'],
      [0x007f, 'DEL'],
      [0x0085, 'NEL'],
      [0x034f, 'combining grapheme joiner'],
      [0x115f, 'Hangul choseong filler'],
      [0x3164, 'Hangul filler'],
      [0xffa0, 'halfwidth Hangul filler'],
      [0x17b4, 'Khmer inherent vowel'],
      [0x2800, 'braille blank'],
    ];
    for (const [cp, name] of cases) {
      const v = visibleText(`x${String.fromCodePoint(cp)}y`);
      expect(v.text, name).toBe(`x<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>y`);
      expect(v.escaped, name).toBe(1);
      expect(v.bidi, name).toBe(false);
    }
  });

  it('escapes a lone surrogate half', () => {
    expect(visibleText('a\uD800b').text).toBe('a<U+D800>b');
  });

  it('keeps tab and line feed, which a multi-line copy needs', () => {
    const s = 'line one\n\tindented';
    expect(visibleText(s).text).toBe(s);
  });

  it('keeps emoji joined sequences whole but escapes a joiner between letters', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    const heart = '\u2764\uFE0F\u200D\u{1F525}';
    expect(visibleText(`ok ${family} ${heart}`)).toEqual({ text: `ok ${family} ${heart}`, escaped: 0, bidi: false });
    expect(visibleText(`${family} AK\u200DIA`).text).toBe(`${family} AK<U+200D>IA`);
  });

  it('words a single hidden character in the singular', () => {
    expect(hiddenCharacterWarning(visibleText('AKIA\u200BEXAMPLE'))).toBe('1 invisible character shown as <U+…>: the original text is not what it looks like');
  });
});
