/**
 * The layer rules in eslint.config.js (`no-restricted-imports`), run through ESLint's own API on
 * snippets placed in each folder: a forbidden import is reported, an allowed one is not.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { FAMILY_LIST } from '../src/models/families';

const eslint = new ESLint();

/** The restricted-import messages ESLint gives `code` as if it were the file at `filePath`. */
async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const use = (what: string) => `import * as x from '${what}';\nexport const y = x;\n`;

/** The no-restricted-syntax messages ESLint gives `code` as the file at `filePath`. */
async function syntax(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('family rules', () => {
  it("report a test of any registered family's id outside the registries", async () => {
    for (const f of FAMILY_LIST) {
      const probe = `declare const m: { family: string };\nexport const a = m.family === '${f.id}';\nexport function b() {\n  switch (m.family) {\n    case '${f.id}':\n      return 1;\n  }\n  return 0;\n}\n`;
      expect(await syntax('src/ui/Probe.tsx', probe), f.id).toHaveLength(2);
      expect(await syntax('src/worker/probe.ts', probe), f.id).toHaveLength(2);
      expect(await syntax('src/models/families.ts', probe), f.id).toEqual([]);
    }
    expect(
      await syntax('src/ui/Probe.tsx', "declare const k: string;\nexport const a = k === 'other';\n"),
    ).toEqual([]);
  });

  it("keep a family's maths (and GKC's) to generic kernels", async () => {
    expect(await restricted('src/models/gkc/probe.ts', use('../../processing/resize'))).toEqual([]);
    expect(await restricted('src/models/gkc/probe.ts', use('./classProbs'))).toEqual([]);
    expect(await restricted('src/models/gkc/probe.ts', use('../runner'))).toHaveLength(1);
    expect(await restricted('src/models/gkc/probe.ts', use('../clip/constants'))).toHaveLength(1);
    expect(await restricted('src/models/dense/maths/probe.ts', use('../../../processing/argmax'))).toEqual(
      [],
    );
    expect(await restricted('src/models/dense/maths/probe.ts', use('../namesRule'))).toHaveLength(1);
    expect(await restricted('src/models/clip/maths/probe.ts', use('../../gkc/patchLogits'))).toHaveLength(1);
    expect(await restricted('src/models/clip/maths/probe.ts', use('onnxruntime-web'))).not.toEqual([]);
  });
});

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
    expect(await restricted('src/client/probe.ts', use('../store/store'))).toHaveLength(1);
    expect(await restricted('src/worker/probe.ts', use('../services/controller'))).toHaveLength(1);
    expect(await restricted('src/worker/probe.ts', use('../shared/protocol'))).toEqual([]);
    expect(await restricted('src/models/probe.ts', use('../shared/protocol'))).toEqual([]);
  });

  it('keep a family description free of model code (the page imports it)', async () => {
    expect(await restricted('src/models/query/family.ts', use('./queryRunner'))).toHaveLength(1);
    expect(await restricted('src/models/query/family.ts', use('../runtime/ortRuntime'))).toHaveLength(1);
    expect(await restricted('src/models/query/family.ts', use('../manifestSchema'))).toEqual([]);
  });

  it('keep the service worker whole: it imports nothing (it is built alone)', async () => {
    expect(await restricted('src/sw/probe.ts', use('./other'))).toHaveLength(1);
    expect(await restricted('src/sw/probe.ts', use('react'))).toHaveLength(1);
  });

  it('keep src/processing pure: it imports only itself', async () => {
    expect(await restricted('src/processing/probe.ts', use('../models/manifest'))).toHaveLength(1);
    expect(await restricted('src/processing/probe.ts', use('../shared/protocol'))).toHaveLength(1);
    expect(await restricted('src/processing/probe.ts', use('onnxruntime-web'))).toHaveLength(1);
    expect(await restricted('src/processing/probe.ts', use('./gkc'))).toEqual([]);
  });
});
