/**
 * The registry of model families, worker side: how to make each family's runner. Only the worker
 * (and Node tools) import this: it pulls in ONNX Runtime and the families' model code. Adding a
 * family is one line here and one in `families.ts`; see `README.md` in this folder.
 */
import { ClipDenseRunner } from './clipdense/clipDenseRunner';
import { DenseRunner } from './dense/denseRunner';
import type { FamilyId } from './families';
import { QueryRunner } from './query/queryRunner';
import { SamClipRunner } from './samclip/samClipRunner';
import type { RunnerFactory } from './runnerInputs';

export const RUNNERS: Record<FamilyId, RunnerFactory> = {
  query: QueryRunner.create,
  dense: DenseRunner.create,
  'clip-dense': ClipDenseRunner.create,
  'sam-clip': SamClipRunner.create,
};
