// Interactive shells on a host over its pooled SSH connection.
import { z } from 'zod';
import { HostId } from './ids';

export const TerminalId = z
  .string()
  .regex(/^term-[a-f0-9]{16}$/, 'not a terminal id')
  .brand<'TerminalId'>();
export type TerminalId = z.infer<typeof TerminalId>;

const TermSize = { cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) };

export const terminalCalls = {
  terminalOpen: { request: z.object({ hostId: HostId, ...TermSize }).strict(), response: z.object({ terminalId: TerminalId }) },
  /** keystrokes: never logged, never audited */
  terminalInput: { request: z.object({ terminalId: TerminalId, data: z.string().min(1).max(65_536) }).strict(), response: z.object({ accepted: z.boolean() }) },
  terminalResize: { request: z.object({ terminalId: TerminalId, ...TermSize }).strict(), response: z.object({ resized: z.boolean() }) },
  terminalClose: { request: z.object({ terminalId: TerminalId }).strict(), response: z.object({ closed: z.boolean() }) },
} as const;

export const terminalEvents = {
  onTerminalOutput: z.object({ terminalId: TerminalId, data: z.string() }),
  onTerminalState: z.object({ terminalId: TerminalId, hostId: HostId, state: z.enum(['open', 'closed']), reason: z.string().nullable(), at: z.string() }),
} as const;
