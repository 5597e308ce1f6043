import { useApp } from '../store/store';

/** How the result is drawn: page-only settings, no engine work. */

/** Region outlines over the overlay (on by default: they keep regions visible on any picture). */
export function setOutlines(on: boolean): void {
  useApp.setState({ outlines: on });
}

/** One class shown alone (legend focus or click), or null for all. */
export function setHighlight(classIndex: number | null): void {
  useApp.setState({ highlight: classIndex });
}
