import { describe, expect, it } from 'vitest';
import { DownloadCancelledError, DownloadFailedError, WorkerHungError } from '../errors';
import type { ModelInfo } from '../shared/protocol';
import type { ModelEntry } from './catalogue';
import { afterError, afterHang, type Loaded } from './loadMachine';

const previous: Loaded = {
  entry: { key: 'embedded' } as ModelEntry,
  model: { name: 'Colours', ep: 'wasm' } as ModelInfo,
};
const failed = new DownloadFailedError('HTTP 404');
const hung = (kind: 'load' | 'segment') => new WorkerHungError(kind, null, 30_000, 'the download');

describe('afterError: what a failed load leads to', () => {
  it('a load a newer one replaced: nothing to do or say', () => {
    expect(afterError(failed, 'CLIPSeg', { newest: false, previous, quiet: false })).toEqual({
      do: 'nothing',
    });
  });

  it('the model that ran before comes back, the failure said (a cancel as news)', () => {
    expect(afterError(failed, 'CLIPSeg', { newest: true, previous, quiet: false })).toEqual({
      do: 'restore',
      notice: { level: 'error', text: 'Could not load CLIPSeg: HTTP 404' },
    });
    const cancelled = new DownloadCancelledError('Download of model.onnx was cancelled');
    expect(afterError(cancelled, 'CLIPSeg', { newest: true, previous, quiet: false })).toMatchObject({
      do: 'restore',
      notice: { level: 'info' },
    });
    expect(afterError(failed, 'CLIPSeg', { newest: true, previous, quiet: true })).toEqual({
      do: 'restore',
      notice: undefined,
    });
  });

  it('with nothing to go back to: the failure state, whose message the status shows', () => {
    expect(afterError(failed, 'CLIPSeg', { newest: true, previous: null, quiet: true })).toEqual({
      do: 'fail',
      message: 'Could not load CLIPSeg: HTTP 404',
      notice: undefined,
    });
  });

  it('a hang of another request while the load waited: the fresh worker tries the load again', () => {
    const next = afterError(hung('segment'), 'CLIPSeg', { newest: true, previous, quiet: true });
    expect(next.do).toBe('again');
    expect(next.notice?.text).toMatch(/; the worker was restarted\.$/);
  });

  it('a load that hung: the previous model comes back and the message names it once it did', () => {
    const next = afterError(hung('load'), 'CLIPSeg', { newest: true, previous, quiet: true });
    expect(next.do).toBe('restore');
    expect(next.notice).toBeUndefined();
    expect(next.do === 'restore' && next.ifRestored?.text).toMatch(
      /^Could not load CLIPSeg: .*; restarted on Colours\.$/,
    );
    // With none to go back to, the failure state.
    expect(afterError(hung('load'), 'CLIPSeg', { newest: true, previous: null, quiet: false }).do).toBe(
      'fail',
    );
    // A replaced load that hung is still said.
    const old = afterError(hung('load'), 'CLIPSeg', { newest: false, previous, quiet: true });
    expect(old.do).toBe('nothing');
    expect(old.notice?.text).toMatch(/^Could not load CLIPSeg: .*\.$/);
  });
});

describe('afterHang: the worker was replaced while no load ran', () => {
  it('loads the last good model again, or says what happened when there is none', () => {
    expect(afterHang(hung('segment'), previous)).toEqual({ reload: previous });
    const none = afterHang(hung('segment'), null);
    expect(none.reload).toBeNull();
    expect(none.notice?.level).toBe('error');
  });
});
