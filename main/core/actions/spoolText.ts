// How output batches are written to a file on disk (a follow's spool, a run's kept output): as
// the view shows them, stderr lines marked as the view marks them by colour.
import type { OutputChunk } from './OutputBatcher';

/** the mark before each stderr line on disk */
export const STDERR_MARK = '[stderr] ';

/** The batch as it is written, and the newlines in it. */
export function spoolText(chunks: readonly OutputChunk[]): { text: string; lines: number } {
  let text = '';
  let lines = 0;
  for (const chunk of chunks) {
    const body = chunk.stream === 'stderr' ? chunk.text.replace(/^(?=.)/gm, STDERR_MARK) : chunk.text;
    text += body;
    for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) lines++;
  }
  return { text, lines };
}
