import { describe, expect, it } from 'vitest';
import {
  AppError,
  describeError,
  DownloadCancelledError,
  errorFromCode,
  GpuBufferTooSmallError,
  ManifestInvalidError,
  ModelGraphUnsupportedError,
  UnexpectedError,
  VocabularyEmptyError,
} from '../errors';
import { ClipDenseError } from '../models/clip/graphIndex';
import { CutError } from '../models/dense/cut';
import { SplitError } from '../models/onnx/graphTools';
import { ManifestError } from '../models/manifest';
import { BufferLimitError } from '../models/onnx/bufferCheck';

/** What the page gets for an error the worker throws: its code and message, re-created. */
const acrossTheBoundary = (e: unknown) => {
  const { code, message } = describeError(e);
  return errorFromCode(code, message);
};

describe('errors across the worker boundary', () => {
  it("keep their kind: a model family's own error arrives as its central kind, message intact", () => {
    const cases: [Error, abstract new (...a: never[]) => AppError][] = [
      [new ManifestError('Invalid model manifest: "id" is missing'), ManifestInvalidError],
      [new ClipDenseError('Cannot find the last encoder layer'), ModelGraphUnsupportedError],
      [new SplitError('Cannot split this model: it has no graph'), ModelGraphUnsupportedError],
      [new CutError('No prompt to stack'), ModelGraphUnsupportedError],
      [new BufferLimitError('m.onnx needs a GPU buffer of 300 MB'), GpuBufferTooSmallError],
      [new DownloadCancelledError('Download of m.onnx was cancelled'), DownloadCancelledError],
      [new VocabularyEmptyError(), VocabularyEmptyError],
    ];
    for (const [thrown, kind] of cases) {
      expect(thrown).toBeInstanceOf(kind);
      const got = acrossTheBoundary(thrown);
      expect(got).toBeInstanceOf(kind);
      expect(got.message).toBe(thrown.message);
      expect(got.code).toBe((thrown as AppError).code);
    }
  });

  it('anything else arrives as unexpected, its message kept', () => {
    const got = acrossTheBoundary(new RangeError('offset is out of bounds'));
    expect(got).toBeInstanceOf(UnexpectedError);
    expect(got).toMatchObject({ code: 'unexpected', message: 'offset is out of bounds' });
    expect(acrossTheBoundary('a string').message).toBe('a string');
  });
});
