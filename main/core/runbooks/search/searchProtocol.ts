// Messages between main and the search worker.
import type { IndexedSection, RawHit } from './searchIndex';

export type WorkerRequest = { t: 'clear' } | { t: 'add'; entries: IndexedSection[] } | { t: 'search'; id: number; query: string; limit: number };

export type WorkerReply = { t: 'ready' } | { t: 'result'; id: number; hits: RawHit[]; tookMs: number } | { t: 'error'; id: number; message: string };
