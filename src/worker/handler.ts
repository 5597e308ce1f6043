import type { RequestKind, RequestMessage, Requests } from '../shared/protocol';
import { describeError } from '../errors';
import { blobFetcher, WorkerRequests, type Answer, type HandlerDeps } from './requests';

export type { HandlerDeps };
export { blobFetcher };

type Handler<K extends RequestKind> = (m: Requests[K]['req'] & { id: number }) => Promise<Answer<K>>;

/**
 * Requests answered at once, outside the queue: `cancel` must reach a download in progress,
 * `supersede` a long vocabulary or segmentation (between its model runs).
 */
const IMMEDIATE: ReadonlySet<RequestKind> = new Set(['cancel', 'supersede', 'counts']);

/**
 * Message handler: one request at a time, in arrival order, each answered with one reply or error
 * (`cancel`, `supersede` and `counts` at once). One table holds a handler for every request kind (a kind
 * without one is a type error); what each does is in `WorkerRequests`. Result buffers are
 * transferred, never copied twice.
 */
export function createHandler(deps: HandlerDeps): (msg: RequestMessage) => Promise<void> {
  let queue: Promise<void> = Promise.resolve();
  const r = new WorkerRequests(deps);
  const handlers = {
    init: () => r.init(),
    load: (m) => r.load(m),
    cancel: () => r.cancel(),
    supersede: () => r.supersede(),
    vocabulary: (m) => r.vocabulary(m),
    segment: (m) => r.segment(m),
    export: () => r.export(),
    prompt: (m) => r.prompt(m),
    instances: () => r.instances(),
    storage: (m) => r.storage(m),
    evict: (m) => r.evict(m),
    counts: async () => ({ result: r.counts() }),
  } satisfies { [K in RequestKind]: Handler<K> };

  /** Runs a request's handler and answers it: one reply, or one error with its code. */
  async function answer(msg: RequestMessage): Promise<void> {
    try {
      // The table is indexed by the message's own kind: its handler takes exactly this message.
      const run = handlers[msg.kind] as Handler<RequestKind>;
      const { result, transfer } = await run(msg as never);
      deps.post({ kind: 'reply', id: msg.id, result }, transfer ?? []);
    } catch (e) {
      deps.post({ kind: 'error', id: msg.id, ...describeError(e) });
    }
  }

  return (msg) => {
    if (IMMEDIATE.has(msg.kind)) return answer(msg);
    r.waiting++;
    if (msg.kind === 'segment' || msg.kind === 'vocabulary') r.arrived(msg.id);
    if (msg.kind === 'segment' && msg.bitmap) r.openBitmaps++;
    return (queue = queue.then(() => answer(msg).finally(() => r.waiting--)));
  };
}
