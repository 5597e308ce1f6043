import { formatBytes } from '../shared/format';

/** Files a bundle's manifest is never: the tokenizer's own JSON. */
const NOT_MANIFESTS = new Set(['tokenizer.json', 'tokenizer_config.json']);

/** Where a chosen file came from: its path in a chosen folder when there is one, else its name. */
const where = (f: File) => (f.webkitRelativePath ? `"${f.webkitRelativePath}"` : `"${f.name}"`);

export interface ChosenBundle {
  /** The manifest: ovseg.json, else the first other JSON file (null: none). */
  manifest: File | null;
  /** Files by name, the first of each name. */
  files: Record<string, File>;
  /** What was chosen among files of one name, in words (said to the user). */
  notes: string[];
  /** The JSON files that could be the manifest. */
  candidates: File[];
}

/**
 * A bundle's files as the user chose them: one file per name (the worker finds files by name, so a
 * second file of a name is never used) and one manifest. Every choice made among them is said, never
 * silent: files of the same name here, JSON files that could each be the manifest by otherManifests.
 */
export function chooseBundleFiles(chosen: readonly File[]): ChosenBundle {
  const byName = new Map<string, File[]>();
  for (const f of chosen) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
  const notes: string[] = [];
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    const first = same[0]!;
    notes.push(
      `${same.length} of the chosen files are named "${name}": the first, ${where(first)} ` +
        `(${formatBytes(first.size)}), is used, the other ${same.length - 1} not.`,
    );
  }
  const files = Object.fromEntries([...byName].map(([name, same]) => [name, same[0]!]));
  const candidates = Object.values(files).filter(
    (f) => f.name.endsWith('.json') && !NOT_MANIFESTS.has(f.name),
  );
  const manifest = files['ovseg.json'] ?? candidates[0] ?? null;
  return { manifest, files, notes, candidates };
}

/** The file names a manifest's text values could name (the last part of each path). */
function namesIn(json: unknown, out = new Set<string>()): Set<string> {
  if (typeof json === 'string') out.add(json.split('/').pop()!);
  else if (json && typeof json === 'object') for (const v of Object.values(json)) namesIn(v, out);
  return out;
}

/**
 * Said when other JSON files among the chosen ones could have been the manifest (those the
 * manifest names, such as a tokenizer under another name, are its files, not rivals).
 */
export function otherManifests(bundle: ChosenBundle, manifestJson: unknown): string | null {
  const named = namesIn(manifestJson);
  const { manifest } = bundle;
  const others = bundle.candidates.filter((f) => f !== manifest && !named.has(f.name)).map(where);
  if (!manifest || !others.length) return null;
  return (
    `${others.length + 1} of the chosen files could be the manifest: ${where(manifest)} is used` +
    `${manifest.name === 'ovseg.json' ? ' (ovseg.json comes first)' : ''}, not ${others.join(', ')}.`
  );
}
