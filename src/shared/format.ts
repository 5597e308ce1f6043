/**
 * Byte counts for people, the one formatter of the app. `binary` (the default): powers of 1024, as
 * the download caps and GPU limits are set ("16.0 MiB", "320 kB"); `decimal`: powers of 1000, as
 * download sizes are usually quoted ("153 MB").
 */
export function formatBytes(n: number, units: 'binary' | 'decimal' = 'binary'): string {
  const k = units === 'binary' ? 1024 : 1000;
  const mega = units === 'binary' ? 'MiB' : 'MB';
  if (n >= k * k) return `${(n / (k * k)).toFixed(n >= 100 * k * k ? 0 : 1)} ${mega}`;
  if (n >= k) return `${Math.round(n / k)} kB`;
  return `${n} bytes`;
}
