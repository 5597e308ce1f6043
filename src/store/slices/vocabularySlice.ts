import type { StateCreator } from 'zustand';
import type { AppState } from '../store';

const DEFAULT_CLASSES = 'sky | blue, grass | green, red, yellow, white, black';

/**
 * What the user typed. The parsed vocabulary is not stored: `selectVocab` derives it from the text,
 * so the two can never disagree.
 */
export interface VocabularySlice {
  classesText: string;
  /** The user's choices among the model family's settings (by key); absent: the model's default. */
  settings: Record<string, string>;
  /** Names of the vocabulary the loaded model knows no word of (the worker's answer to it). */
  unknownNames: string[];
}

export const createVocabularySlice: StateCreator<AppState, [], [], VocabularySlice> = () => ({
  classesText: DEFAULT_CLASSES,
  settings: {},
  unknownNames: [],
});
