import { create } from 'zustand';
import { createImageSlice, type ImageSlice } from './slices/imageSlice';
import { createLiveSlice, type LiveSlice } from './slices/liveSlice';
import { createModelSlice, type ModelSlice } from './slices/modelSlice';
import { createSettingsSlice, type SettingsSlice } from './slices/settingsSlice';
import { createVocabularySlice, type VocabularySlice } from './slices/vocabularySlice';

export type { LoadedImage } from './slices/imageSlice';
export type { LiveStats } from './slices/liveSlice';
export type { Notice } from './slices/settingsSlice';

export type AppState = ModelSlice & VocabularySlice & ImageSlice & LiveSlice & SettingsSlice;

/**
 * The app's state, built from one slice per concern. Components read it (selectors in
 * `selectors.ts`); only the services in `src/services/` write it, through their named actions
 * (a unit test keeps `src/ui` free of writes).
 */
export const useApp = create<AppState>()((...a) => ({
  ...createModelSlice(...a),
  ...createVocabularySlice(...a),
  ...createImageSlice(...a),
  ...createLiveSlice(...a),
  ...createSettingsSlice(...a),
}));
