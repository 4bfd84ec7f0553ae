// The one logger shape of the codebase: main, the shells, the simulator and the renderer's API
// layer all log through it. A service asks for only the methods it calls
// (`Pick<Logger, 'warn'>`), so a test can hand it a one-method recorder, and every
// implementation (consoleLogger in main/core/bootstrap.ts, silentLogger here, the simulator's
// stderr logger) fits every service. `detail` is what goes with the message: an error, or a
// few fields for the simulator's structured lines.

export interface Logger {
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

/** Says nothing: the default where logging is optional, and for tests that do not listen. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
