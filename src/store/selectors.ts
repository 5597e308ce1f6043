import { parseVocabulary, type ParsedVocabulary } from '../processing/vocabulary';
import type { AppState } from './store';

let lastText: string | null = null;
let lastVocab: ParsedVocabulary | null = null;

/**
 * The parsed vocabulary, derived from the typed text (never stored beside it). Memoised on the
 * text: every caller between two edits gets the same object, so React selectors stay stable and
 * a webcam frame does not parse the list again.
 */
export function selectVocab(s: Pick<AppState, 'classesText'>): ParsedVocabulary {
  if (s.classesText !== lastText || !lastVocab) {
    lastVocab = parseVocabulary(s.classesText);
    lastText = s.classesText;
  }
  return lastVocab;
}

/** The still image's result, or null while it is not the shown image's (a new image clears it). */
export const selectStillResult = (s: AppState) => (s.resultImage === s.image ? s.result : null);

/** The status bar's state word (also the e2e suite's "ready" signal). */
export function selectStatusState(s: AppState): 'error' | 'loading' | 'working' | 'ready' {
  return s.loadFailure ? 'error' : !s.engineReady ? 'loading' : s.busy ? 'working' : 'ready';
}
