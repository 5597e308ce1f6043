import type { StateCreator } from 'zustand';
import type { AppState } from '../store';

export interface Notice {
  id: number;
  level: 'error' | 'warning' | 'info';
  text: string;
}

/** How the result is shown, and the messages above the page. */
export interface SettingsSlice {
  opacity: number;
  /** Region outlines drawn over the overlay, at full opacity. */
  outlines: boolean;
  /** A class the legend isolates (its index), or null: every class drawn. */
  highlight: number | null;
  threshold: number;
  notices: Notice[];
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = () => ({
  opacity: 0.6,
  outlines: true,
  highlight: null,
  threshold: 0,
  notices: [],
});
