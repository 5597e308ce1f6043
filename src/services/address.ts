import { TOO_LONG_TO_SHARE, withParam } from '../config';
import { notify } from './notices';

/**
 * Settings travel in the page address, so a link shares them; a value that would take the address
 * over its budget is taken out of it instead (returns false).
 */
export function keepInAddress(key: string, value: string): boolean {
  const { href, kept } = withParam(location.href, key, value);
  history.replaceState(null, '', href);
  return kept;
}

/** Whether the address held the vocabulary last time (a link over the budget starts without it). */
let classesShared = true;

/** The vocabulary into the page address; said once each time it grows past what an address may hold. */
export function keepClassesInAddress(text: string, quiet = false): void {
  const kept = keepInAddress('classes', text);
  if (!kept && classesShared && !quiet) notify('warning', TOO_LONG_TO_SHARE);
  classesShared = kept;
}
