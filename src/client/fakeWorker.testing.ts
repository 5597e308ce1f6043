import { vi } from 'vitest';
import type { RequestMessage, Requests, SegmentResult, WorkerMessage } from '../shared/protocol';
import type { WorkerLike } from './transport';

/** Test double of a Worker: records posted messages and lets the test answer them. */
export class FakeWorker implements WorkerLike {
  posted: { msg: RequestMessage; transfer: Transferable[] }[] = [];
  onmessage: ((e: MessageEvent<WorkerMessage>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  /** `supersede` signals received (kept apart: they stop a job, they are not requests). */
  stops = 0;
  terminated = false;
  postMessage(msg: RequestMessage, transfer: Transferable[]): void {
    if (msg.kind === 'supersede') this.stops++;
    else this.posted.push({ msg, transfer });
  }
  terminate(): void {
    this.terminated = true;
  }
  send(msg: WorkerMessage): void {
    this.onmessage?.({ data: msg } as MessageEvent<WorkerMessage>);
  }
  reply(id: number, result: unknown): void {
    this.send({ kind: 'reply', id, result } as WorkerMessage);
  }
  crash(message: string): void {
    this.onerror?.({ message } as ErrorEvent);
  }
}

export const bitmap = (name: string) =>
  ({ name, close: vi.fn() }) as unknown as ImageBitmap & { close: ReturnType<typeof vi.fn> };
export const flush = () => new Promise((r) => setTimeout(r, 0));
export const segReq = (bitmap?: ImageBitmap): Requests['segment']['req'] => ({
  threshold: 0,
  ...(bitmap ? { bitmap } : {}),
});
export const vocabReq = (...names: string[]): Requests['vocabulary']['req'] => ({
  classes: [{ label: names[0]!, names }],
});
export const fakeResult = (tag: number) => ({ width: tag }) as unknown as SegmentResult;
