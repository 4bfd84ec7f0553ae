// What every emulated command on a demo host shares: where its output goes, the "not emulated"
// answer, and the exit status that goes with it. A leaf module, so the command dispatcher
// (demoCommand.ts) and the programs it dispatches to (demoScripts.ts, demoHostFacts.ts) can
// all use it without importing each other.

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** aborted when the channel closes or is signalled: ends `journalctl -f` */
  signal: AbortSignal;
}

/** Exit status of a command the demo does not emulate, as a shell's "command not found". */
export const NOT_EMULATED = 127;

/** Thrown anywhere in a command's emulation; the dispatcher turns it into NOT_EMULATED and one line. */
export class NotEmulated extends Error {
  constructor(readonly what: string) {
    super(`opsdeck demo host: '${what}' is not emulated in the demo`);
  }
}

/** Refusal line for anything outside the emulated set. */
export function notEmulatedMessage(what: string): string {
  return new NotEmulated(what).message;
}
