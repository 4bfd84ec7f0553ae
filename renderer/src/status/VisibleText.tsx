// Outside text on the page: invisible and bidirectional characters shown as <U+XXXX> escapes,
// with a warning beside the text when there were any (common/visibleText.ts).
import { hiddenCharacterWarning, visibleText } from '../../../common/visibleText';

export function VisibleText({ text }: { text: string }) {
  const shown = visibleText(text);
  const warning = hiddenCharacterWarning(shown);
  if (!warning) return <>{text}</>;
  return (
    <>
      {shown.text}{' '}
      <span className="hidden-chars" role="img" aria-label={warning} title={warning}>
        ⚠ hidden characters
      </span>
    </>
  );
}

/** For attributes (title, aria-label): the escaped text alone. */
export const visible = (text: string): string => visibleText(text).text;
