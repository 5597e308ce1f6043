/** Settings travel in the page address, so a link shares them. */
export function keepInAddress(key: string, value: string): void {
  const url = new URL(location.href);
  url.searchParams.set(key, value);
  history.replaceState(null, '', url);
}
