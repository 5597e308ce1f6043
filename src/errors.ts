/**
 * Every error the app raises on purpose, named by its condition. Each carries a stable `code`: the
 * worker sends the code with the message, the page re-creates the same class from it (so
 * `instanceof` holds on both sides of the worker boundary) and reacts by kind, never by message text.
 * This module imports nothing of the app, so every layer (ui, store, engine, worker, models, tools)
 * can use it.
 */

export type ErrorCode =
  // Loading a model bundle.
  | 'manifest-invalid'
  | 'model-file-invalid'
  | 'model-file-missing'
  | 'model-file-too-large'
  | 'origin-not-allowed'
  | 'download-failed'
  | 'download-cancelled'
  | 'model-graph-unsupported'
  | 'model-session-failed'
  | 'model-output-invalid'
  | 'gpu-buffer-too-small'
  // Running it.
  | 'no-model-loaded'
  | 'no-image'
  | 'vocabulary-empty'
  | 'vocabulary-too-large'
  | 'nothing-to-export'
  | 'prompt-unsupported'
  // The page's own inputs.
  | 'image-invalid'
  | 'camera-unavailable'
  // The worker boundary.
  | 'request-superseded'
  | 'worker-hung'
  | 'worker-crashed'
  | 'worker-start-failed'
  | 'worker-stopped'
  /** Anything not raised on purpose (a bug, or a runtime's own error): its message is kept. */
  | 'unexpected';

/** The base of the app's errors. Names are written out: a minified build renames classes. */
export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
}

/** A manifest that is not valid JSON of the schema, or names files it may not. */
export class ManifestInvalidError extends AppError {
  readonly code = 'manifest-invalid';
  override name = 'ManifestInvalidError';
}

/** A bundle file that is not what it should be (not JSON, not an ONNX model). */
export class ModelFileInvalidError extends AppError {
  readonly code = 'model-file-invalid';
  override name = 'ModelFileInvalidError';
}

/** Dropped files that lack one the manifest names. */
export class ModelFileMissingError extends AppError {
  readonly code = 'model-file-missing';
  override name = 'ModelFileMissingError';
}

/** A file over the size it may take (announced, sent, or dropped). */
export class ModelFileTooLargeError extends AppError {
  readonly code = 'model-file-too-large';
  override name = 'ModelFileTooLargeError';
}

/** A download from a host the Content-Security-Policy does not allow. */
export class OriginNotAllowedError extends AppError {
  readonly code = 'origin-not-allowed';
  override name = 'OriginNotAllowedError';
}

/** A download that could not start or did not finish (offline, HTTP error, cut short). */
export class DownloadFailedError extends AppError {
  readonly code = 'download-failed';
  override name = 'DownloadFailedError';
}

/** A download the user (or a newer load) cancelled: news, not a failure. */
export class DownloadCancelledError extends AppError {
  readonly code = 'download-cancelled';
  override name = 'DownloadCancelledError';
}

/** A model graph this engine cannot understand, split or run (the message says what it looked for). */
export class ModelGraphUnsupportedError extends AppError {
  readonly code = 'model-graph-unsupported';
  override name = 'ModelGraphUnsupportedError';
}

/** ONNX Runtime could not create a session for a graph on the chosen backend. */
export class ModelSessionFailedError extends AppError {
  readonly code = 'model-session-failed';
  override name = 'ModelSessionFailedError';
}

/** A model output that breaks its family's contract (dtype, shape, size) or is not finite. */
export class ModelOutputInvalidError extends AppError {
  readonly code = 'model-output-invalid';
  override name = 'ModelOutputInvalidError';
}

/** A tensor larger than the GPU can bind. */
export class GpuBufferTooSmallError extends AppError {
  readonly code = 'gpu-buffer-too-small';
  override name = 'GpuBufferTooSmallError';
}

export class NoModelLoadedError extends AppError {
  readonly code = 'no-model-loaded';
  override name = 'NoModelLoadedError';
  constructor(message = 'No model is loaded') {
    super(message);
  }
}

export class NoImageError extends AppError {
  readonly code = 'no-image';
  override name = 'NoImageError';
  constructor(message = 'No image to segment') {
    super(message);
  }
}

/** A click or an object export asked of a model that proposes no objects. */
export class PromptUnsupportedError extends AppError {
  readonly code = 'prompt-unsupported';
  override name = 'PromptUnsupportedError';
}

export class VocabularyEmptyError extends AppError {
  readonly code = 'vocabulary-empty';
  override name = 'VocabularyEmptyError';
  constructor(message = 'The vocabulary is empty: type at least one class name') {
    super(message);
  }
}

/** A vocabulary that would cost more text-model work than a vocabulary may (prompts, names). */
export class VocabularyTooLargeError extends AppError {
  readonly code = 'vocabulary-too-large';
  override name = 'VocabularyTooLargeError';
}

export class NothingToExportError extends AppError {
  readonly code = 'nothing-to-export';
  override name = 'NothingToExportError';
  constructor(message = 'Nothing to export yet: segment an image first') {
    super(message);
  }
}

/** An image file the page cannot use (empty, too large, not an image, undecodable). */
export class ImageInvalidError extends AppError {
  readonly code = 'image-invalid';
  override name = 'ImageInvalidError';
}

/** No camera to use: none, denied, busy, or no camera API. */
export class CameraUnavailableError extends AppError {
  readonly code = 'camera-unavailable';
  override name = 'CameraUnavailableError';
}

/** A queued request that a newer one replaced before it was sent (newest wins). */
export class RequestSupersededError extends AppError {
  readonly code = 'request-superseded';
  override name = 'RequestSupersededError';
  constructor(message = 'superseded by a newer request') {
    super(message);
  }
}

/** A request ran past its bound: the worker was stopped (and replaced, when the client can). */
export class WorkerHungError extends AppError {
  readonly code = 'worker-hung';
  override name = 'WorkerHungError';
  /**
   * `kind`: the request that hung; `stage`: its last reported stage; `what`: that stage in words
   * ("the image model").
   */
  constructor(
    readonly kind: string,
    readonly stage: string | null,
    readonly afterMs: number,
    what: string,
  ) {
    const secs = afterMs < 10_000 ? Number((afterMs / 1000).toFixed(1)) : Math.round(afterMs / 1000);
    super(`The model stopped responding (${what} took over ${secs} s)`);
  }
}

/** The worker died (an uncaught error, out of memory) after it had started. */
export class WorkerCrashedError extends AppError {
  readonly code = 'worker-crashed';
  override name = 'WorkerCrashedError';
}

/** The worker died before it answered anything: its script did not load or did not run. */
export class WorkerStartFailedError extends AppError {
  readonly code = 'worker-start-failed';
  override name = 'WorkerStartFailedError';
}

export class WorkerStoppedError extends AppError {
  readonly code = 'worker-stopped';
  override name = 'WorkerStoppedError';
  constructor(message = 'The engine was stopped') {
    super(message);
  }
}

export class UnexpectedError extends AppError {
  readonly code = 'unexpected';
  override name = 'UnexpectedError';
}

/** The class of each code, for re-creating an error from its code (the hung worker is the client's own). */
const BY_CODE: { [C in Exclude<ErrorCode, 'worker-hung'>]: new (message: string) => AppError } = {
  'manifest-invalid': ManifestInvalidError,
  'model-file-invalid': ModelFileInvalidError,
  'model-file-missing': ModelFileMissingError,
  'model-file-too-large': ModelFileTooLargeError,
  'origin-not-allowed': OriginNotAllowedError,
  'download-failed': DownloadFailedError,
  'download-cancelled': DownloadCancelledError,
  'model-graph-unsupported': ModelGraphUnsupportedError,
  'model-session-failed': ModelSessionFailedError,
  'model-output-invalid': ModelOutputInvalidError,
  'gpu-buffer-too-small': GpuBufferTooSmallError,
  'no-model-loaded': NoModelLoadedError,
  'no-image': NoImageError,
  'vocabulary-empty': VocabularyEmptyError,
  'vocabulary-too-large': VocabularyTooLargeError,
  'nothing-to-export': NothingToExportError,
  'prompt-unsupported': PromptUnsupportedError,
  'image-invalid': ImageInvalidError,
  'camera-unavailable': CameraUnavailableError,
  'request-superseded': RequestSupersededError,
  'worker-crashed': WorkerCrashedError,
  'worker-start-failed': WorkerStartFailedError,
  'worker-stopped': WorkerStoppedError,
  unexpected: UnexpectedError,
};

/** The error a code and message stand for (an unknown code, e.g. from a newer worker: unexpected). */
export function errorFromCode(code: string, message: string): AppError {
  const Class = Object.hasOwn(BY_CODE, code) ? BY_CODE[code as keyof typeof BY_CODE] : UnexpectedError;
  return new Class(message);
}

/** Code and message of anything thrown; errors not raised on purpose count as unexpected. */
export function describeError(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof AppError) return { code: e.code, message: e.message };
  return { code: 'unexpected', message: e instanceof Error ? e.message : String(e) };
}
