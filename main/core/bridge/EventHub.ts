// Events main pushes to every connected view (Electron windows, browser-shell sockets).
import type { EventName, EventPayload } from '../../../common/contract';

export type EventSink = <N extends EventName>(name: N, payload: EventPayload<N>) => void;

export class EventHub {
  private readonly sinks = new Set<EventSink>();

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  emit<N extends EventName>(name: N, payload: EventPayload<N>): void {
    for (const sink of this.sinks) {
      try {
        sink(name, payload);
      } catch {
        // A broken view must not stop the others from hearing the event.
      }
    }
  }
}
