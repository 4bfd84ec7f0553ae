import { z } from 'zod';
import { ENDPOINTS, ENDPOINT_PATHS, ENDPOINT_SHAPES, type Endpoint } from '../common/health';

/** Failures the console must survive, injected per endpoint or for all of them. */
export const FAULT_KINDS = ['slow', 'http-500', 'reset', 'malformed-json', 'oversized', 'bad-item', 'hang'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const DEFAULT_SLOW_MS = 3000;
export const MAX_SLOW_MS = 600_000;
/** Oversized bodies are 1.5 MiB: comfortably over the console's 1 MiB cap. */
export const OVERSIZED_BYTES = 1.5 * 1024 * 1024;

export interface Fault {
  readonly kind: FaultKind;
  /** null: every endpoint */
  readonly endpoint: Endpoint | null;
  /** delay for `slow` */
  readonly ms: number;
}

export const FaultRequest = z.strictObject({
  kind: z.enum(FAULT_KINDS, { message: `kind must be one of ${FAULT_KINDS.join(', ')}` }),
  endpoint: z.string().max(200).optional(),
  ms: z.number().int().min(0).max(MAX_SLOW_MS).optional(),
});

/** Accept an endpoint by its contract name ("circuitBreakers") or by its path. */
export function resolveEndpoint(name: string): Endpoint | null {
  if ((ENDPOINTS as readonly string[]).includes(name)) return name as Endpoint;
  const byPath = ENDPOINTS.find((e) => ENDPOINT_PATHS[e] === name);
  return byPath ?? null;
}

/** The faults in force, at most one per endpoint plus one for all endpoints. */
export class FaultBoard {
  private readonly faults = new Map<Endpoint | '*', Fault>();

  set(fault: Fault): void {
    this.faults.set(fault.endpoint ?? '*', fault);
  }

  /** Clear one endpoint's fault, or every fault when no endpoint is given. */
  clear(endpoint?: Endpoint): void {
    if (endpoint) this.faults.delete(endpoint);
    else this.faults.clear();
  }

  /** The fault for an endpoint: its own one wins over the all-endpoints one. */
  for(endpoint: Endpoint): Fault | null {
    return this.faults.get(endpoint) ?? this.faults.get('*') ?? null;
  }

  list(): Fault[] {
    return [...this.faults.values()];
  }
}

/**
 * Mistype one field of the first item (a number becomes a string, or a string a number) and
 * leave the rest intact, so the console must show "unknown: <why>" for exactly that item.
 */
export function withOneBadItem(endpoint: Endpoint, body: Record<string, unknown>): Record<string, unknown> {
  const key = ENDPOINT_SHAPES[endpoint].itemsKey;
  const items = structuredClone(body[key]) as Record<string, Record<string, unknown>> | Record<string, unknown>[];
  const first = Array.isArray(items) ? items[0] : Object.values(items)[0];
  if (first && typeof first === 'object') {
    const fields = Object.keys(first);
    const numeric = fields.find((f) => typeof first[f] === 'number');
    const textual = fields.find((f) => typeof first[f] === 'string');
    if (numeric) first[numeric] = `${String(first[numeric])} (mistyped)`;
    else if (textual) first[textual] = 12345;
  }
  return { ...body, [key]: items };
}
