import { CLIP_DENSE } from '../models/presets';
import { classListToVocabulary } from '../processing/classList';
import { useApp } from '../store/store';
import { presetEntries } from './catalogue';
import type { Controller } from './controller';

/** Benchmark vocabularies shipped with the app (public/vocab/, class lists from FC-CLIP). */
export const VOCABULARY_PRESETS = [
  ['ade20k_150', 'ADE20K (150 classes)'],
  ['coco_stuff', 'COCO-Stuff (171 classes)'],
  ['pascal_voc_21', 'PASCAL VOC (21 classes)'],
  ['pascal_ctx_59', 'PASCAL Context (59 classes)'],
  ['cityscapes', 'Cityscapes (19 classes)'],
] as const;

/**
 * Vocabularies long enough that a model whose cost does not grow with the classes is the better
 * choice: CLIPSeg runs its decoder once per name, dense CLIP scores every class on one image pass.
 */
const MANY = new Set(['ade20k_150', 'coco_stuff']);

/** The model that suits a preset better than the running one (`activeKey`), if any: its name. */
export function betterModelFor(presetId: string, activeKey: string | undefined): string | null {
  return MANY.has(presetId) && activeKey !== CLIP_DENSE.id ? CLIP_DENSE.manifest.name : null;
}

export const suitsManyClasses = (presetId: string): boolean => MANY.has(presetId);

/** A preset's class list in the app's vocabulary syntax (one class a line, synonyms joined by "|"). */
export async function presetVocabulary(id: string): Promise<string> {
  const res = await fetch(`${import.meta.env.BASE_URL}vocab/${id}.txt`);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return classListToVocabulary(await res.text());
}

/** Switches to the model for many classes (the preset hint's "Use it"). */
export function switchToManyClassesModel(controller: Controller): void {
  const entry = presetEntries(controller.hub).find((e) => e.key === CLIP_DENSE.id);
  if (entry) void controller.load(entry, useApp.getState().ep);
}
