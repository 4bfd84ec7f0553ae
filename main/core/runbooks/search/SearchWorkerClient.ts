// Main's side of the search worker. Searching never runs on main's thread (which also serves
// hosts and running actions), and a stale query is never computed: while one query is in the
// worker, only the newest of the ones typed meanwhile waits; the others are answered
// "superseded" at once. The worker is spawned lazily, unref'd while idle (it never keeps a
// process alive), and spawned again with every section if it dies.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { OpsFailure } from '../../../../common/result';
import type { IndexedSection, RawHit } from './searchIndex';
import type { WorkerReply, WorkerRequest } from './searchProtocol';

export interface SearchAnswer {
  hits: RawHit[];
  /** time spent in the worker */
  tookMs: number;
}

interface Query {
  id: number;
  query: string;
  limit: number;
  resolve: (answer: SearchAnswer) => void;
  reject: (error: Error) => void;
}

/** The worker's file: the built entry beside the bundle (out/main/searchWorker.js), else the source. */
export function searchWorkerFile(): string {
  for (const candidate of ['./searchWorker.js', '../searchWorker.js', './searchWorker.ts']) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error('cannot find the search worker (searchWorker.js beside the main bundle)');
}

function spawn(file: string): Worker {
  if (!file.endsWith('.ts')) return new Worker(file);
  // from source (tests, benches): the worker loads tsx's ESM hooks, then the TypeScript entry
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const code = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(pathToFileURL(file).href)}); })`;
  return new Worker(code, { eval: true });
}

export class SearchWorkerClient {
  private worker: Worker | null = null;
  private readonly sections: IndexedSection[][] = [];
  /** added but not yet posted (see add) */
  private unsent: IndexedSection[] = [];
  private nextId = 1;
  private inFlight: Query | null = null;
  private waiting: Query | null = null;

  constructor(private readonly file: string = searchWorkerFile()) {}

  /** Spawns the worker now (it takes a moment), rather than at the first search. */
  start(): void {
    this.ensure();
  }

  clear(): void {
    this.sections.length = 0;
    this.unsent = [];
    this.post({ t: 'clear' });
  }

  /**
   * Queues sections for the worker; they are posted together on flush() (or before the next
   * search): one message per runbook cost more than indexing it.
   */
  add(entries: IndexedSection[]): void {
    this.sections.push(entries);
    this.unsent.push(...entries);
  }

  /** Posts the sections added since the last flush. */
  flush(): void {
    if (this.unsent.length === 0) return;
    const entries = this.unsent;
    this.unsent = [];
    this.post({ t: 'add', entries });
  }

  search(query: string, limit: number): Promise<SearchAnswer> {
    this.flush();
    return new Promise<SearchAnswer>((resolve, reject) => {
      const q: Query = { id: this.nextId++, query, limit, resolve, reject };
      if (!this.inFlight) {
        this.send(q);
        return;
      }
      this.waiting?.reject(new OpsFailure('conflict', 'superseded by a newer search'));
      this.waiting = q;
    });
  }

  /** Stops the worker; pending searches fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll('the search worker was stopped');
    await worker?.terminate();
  }

  private send(q: Query): void {
    this.inFlight = q;
    this.ensure().ref();
    this.post({ t: 'search', id: q.id, query: q.query, limit: q.limit });
  }

  /** Sections and clears reach a running worker at once; one spawned later gets them all then. */
  private post(message: WorkerRequest): void {
    if (message.t === 'search') this.ensure().postMessage(message);
    else this.worker?.postMessage(message);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = spawn(this.file);
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.onReply(reply));
    worker.on('error', (error) => this.onDeath(worker, error.message));
    worker.on('exit', (code) => this.onDeath(worker, `exited with code ${code}`));
    this.worker = worker;
    // a new worker starts empty: give it every section again (the unsent ones included)
    worker.postMessage({ t: 'add', entries: this.sections.flat() } satisfies WorkerRequest);
    this.unsent = [];
    return worker;
  }

  private onReply(reply: WorkerReply): void {
    if (reply.t === 'ready') return;
    const q = this.inFlight;
    if (!q || q.id !== reply.id) return;
    this.inFlight = null;
    if (reply.t === 'result') q.resolve({ hits: reply.hits, tookMs: reply.tookMs });
    else q.reject(new OpsFailure('internal', `search failed: ${reply.message}`));
    const next = this.waiting;
    this.waiting = null;
    if (next) this.send(next);
    else this.worker?.unref();
  }

  private onDeath(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(`the search worker stopped (${why})`);
  }

  private failAll(why: string): void {
    for (const q of [this.inFlight, this.waiting]) q?.reject(new OpsFailure('unavailable', why));
    this.inFlight = null;
    this.waiting = null;
  }
}
