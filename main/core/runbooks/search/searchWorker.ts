// The search index's thread: main sends sections to add and queries; each query is answered
// in order. Built as its own entry (out/main/searchWorker.js); see SearchWorkerClient.
import { parentPort } from 'node:worker_threads';
import { SearchIndex } from './searchIndex';
import type { WorkerReply, WorkerRequest } from './searchProtocol';

const index = new SearchIndex();
const port = parentPort;
if (!port) throw new Error('searchWorker runs as a worker thread');

port.on('message', (message: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (message.t === 'clear') {
      index.clear();
      return;
    }
    if (message.t === 'add') {
      index.add(message.entries);
      return;
    }
    const started = performance.now();
    const hits = index.search(message.query, message.limit);
    reply = { t: 'result', id: message.id, hits, tookMs: Math.round((performance.now() - started) * 1000) / 1000 };
  } catch (error) {
    reply = { t: 'error', id: message.t === 'search' ? message.id : -1, message: (error as Error).message };
  }
  port.postMessage(reply);
});
port.postMessage({ t: 'ready' } satisfies WorkerReply);
