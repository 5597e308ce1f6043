/**
 * What the colours model knows: its embedding axes and weights here, its words and colour
 * prototypes in src/processing/colourWords.ts (the app's palette reads them too). Edit there to
 * tune; the generator turns them into ONNX weights.
 */

import { COLOURS } from '../../src/processing/colourWords';

export { PROTOTYPES, WORDS, type Prototype, type Word } from '../../src/processing/colourWords';

/** Embedding axes: colours, then modifiers, then the "void"/other axis. */
export const AXES = [...COLOURS, 'light', 'dark', 'void'] as const;
export const D = AXES.length;

/** Modifier weight, both for words ("light blue") and for query embeddings. */
export const MODIFIER_WEIGHT = 0.5;
/**
 * Void component of every query embedding. With logitScale 50 a query whose
 * colour is absent from the vocabulary prefers void by ~50*0.3 logits.
 */
export const VOID_WEIGHT = 0.35;
