export class EngineError extends Error {
  override name = 'EngineError';
}
