/**
 * The layer rules in eslint.config.js (`no-restricted-imports`), run through ESLint's own API on
 * snippets placed in each folder: a forbidden import is reported, an allowed one is not.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

/** The restricted-import messages ESLint gives `code` as if it were the file at `filePath`. */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const use = (what: string) => `import * as x from '${what}';\nexport const y = x;\n`;

describe('layer rules', () => {
  it('keep model and worker code out of the UI and the store', async () => {
    expect(await restricted('src/ui/Probe.tsx', use('../worker/segmenter'))).toHaveLength(1);
    expect(await restricted('src/ui/Probe.tsx', use('../models/runners'))).toHaveLength(1);
    expect(await restricted('src/store/probe.ts', use('../models/runtime/ortRuntime'))).toHaveLength(1);
    expect(await restricted('src/store/probe.ts', use('../models/dense/denseModel'))).toHaveLength(1);
    expect(await restricted('src/store/probe.ts', use('onnxruntime-web'))).toHaveLength(1);
    // Descriptions and manifests are what the page may know of models.
    expect(await restricted('src/store/probe.ts', use('../models/families'))).toEqual([]);
    expect(await restricted('src/ui/Probe.tsx', use('../models/manifest'))).toEqual([]);
    expect(await restricted('src/ui/Probe.tsx', use('../models/dense/family'))).toEqual([]);
  });

  it('keep React and the store out of the worker and the families', async () => {
    expect(await restricted('src/worker/probe.ts', use('react'))).toHaveLength(1);
    expect(await restricted('src/worker/probe.ts', use('../store/backend'))).toHaveLength(1);
    expect(await restricted('src/models/probe.ts', use('../worker/bundle'))).toHaveLength(1);
    expect(await restricted('src/models/query/probe.ts', use('../../store/store'))).toHaveLength(1);
    expect(await restricted('src/models/query/probe.ts', use('../../ui/App'))).toHaveLength(1);
    expect(await restricted('src/worker/probe.ts', use('../models/runners'))).toEqual([]);
    // Families share src/models, onnx/ and runtime/, never each other's folders.
    expect(await restricted('src/models/clipdense/probe.ts', use('../dense/cut'))).toHaveLength(1);
    expect(await restricted('src/models/clipdense/probe.ts', use('../onnx/graphTools'))).toEqual([]);
    expect(await restricted('src/models/clipdense/probe.ts', use('../promptCache'))).toEqual([]);
  });

  it("keep the page's side of the worker out of the worker and the models: they share src/shared", async () => {
    expect(await restricted('src/worker/probe.ts', use('../client/workerClient'))).toHaveLength(1);
    expect(await restricted('src/models/probe.ts', use('../client/deadlines'))).toHaveLength(1);
    expect(await restricted('src/models/dense/probe.ts', use('../../client/workerCopy'))).toHaveLength(1);
    expect(await restricted('src/shared/probe.ts', use('../client/workerClient'))).toHaveLength(1);
    expect(await restricted('src/worker/probe.ts', use('../services/controller'))).toHaveLength(1);
    expect(await restricted('src/worker/probe.ts', use('../shared/protocol'))).toEqual([]);
    expect(await restricted('src/models/probe.ts', use('../shared/protocol'))).toEqual([]);
  });

  it('keep a family description free of model code (the page imports it)', async () => {
    expect(await restricted('src/models/query/family.ts', use('./queryRunner'))).toHaveLength(1);
    expect(await restricted('src/models/query/family.ts', use('../runtime/ortRuntime'))).toHaveLength(1);
    expect(await restricted('src/models/query/family.ts', use('../manifestSchema'))).toEqual([]);
  });

  it('keep src/processing pure: it imports only itself', async () => {
    expect(await restricted('src/processing/probe.ts', use('../models/manifest'))).toHaveLength(1);
    expect(await restricted('src/processing/probe.ts', use('../shared/protocol'))).toHaveLength(1);
    expect(await restricted('src/processing/probe.ts', use('onnxruntime-web'))).toHaveLength(1);
    expect(await restricted('src/processing/probe.ts', use('./gkc'))).toEqual([]);
  });
});
