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
  threshold: number;
  notices: Notice[];
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = () => ({
  opacity: 0.6,
  threshold: 0,
  notices: [],
});
