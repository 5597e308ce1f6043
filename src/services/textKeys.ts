/**
 * Which text-cache namespace (ModelInfo.textKey, a content hash of the text model and tokenizer)
 * each model entry used when it last loaded, kept in localStorage so the model manager can show and
 * clear a model's cached text values in a later visit without loading it. A few dozen short texts.
 */
const KEY = 'ovseg-text-keys';
/** Entries remembered at most (the oldest is forgotten first): bounded like every other cache. */
const MAX = 64;

function read(): [string, string][] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(v)
      ? v.filter((x): x is [string, string] => Array.isArray(x) && x.every((s) => typeof s === 'string'))
      : [];
  } catch {
    return []; // storage blocked or the value mangled: nothing remembered
  }
}

export function textKeyOf(entryKey: string): string | undefined {
  return read().find(([k]) => k === entryKey)?.[1];
}

export function rememberTextKey(entryKey: string, textKey: string): void {
  const rest = read().filter(([k]) => k !== entryKey);
  try {
    localStorage.setItem(KEY, JSON.stringify([...rest, [entryKey, textKey]].slice(-MAX)));
  } catch {
    // Storage blocked or full: the manager then shows no text values for this model.
  }
}

/** Forgets an entry (its cached data was cleared). */
export function forgetTextKey(entryKey: string): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(read().filter(([k]) => k !== entryKey)));
  } catch {
    // Storage blocked: nothing was remembered either.
  }
}

/** Entries that loaded here before, oldest first (the manager lists bundles brought by URL among them). */
export const rememberedEntries = (): string[] => read().map(([k]) => k);
