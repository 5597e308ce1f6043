/** One class of the vocabulary: a display label and the names (synonyms) that score it. */
export interface VocabClass {
  label: string;
  names: string[];
}

export interface ParsedVocabulary {
  classes: VocabClass[];
  /** Things the user should know (duplicates dropped, too many classes...). */
  warnings: string[];
}

/** Label maps are uint16: class k is stored as k + 1, 0 is "unlabelled". */
export const MAX_CLASSES = 4096;
const MAX_NAME_LENGTH = 200;

const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();

/**
 * Parses "person, bicycle | bike, road\nsky": commas, semicolons or new lines separate classes,
 * `|` separates several names of one class (the first name labels it).
 */
export function parseVocabulary(text: string): ParsedVocabulary {
  const warnings: string[] = [];
  const classes: VocabClass[] = [];
  const seen = new Map<string, string>();
  for (const chunk of text.split(/[,;\n\r]+/)) {
    const names: string[] = [];
    for (const raw of chunk.split('|')) {
      let name = clean(raw);
      if (!name) continue;
      if (name.length > MAX_NAME_LENGTH) {
        warnings.push(
          `"${name.slice(0, 24)}…" is longer than ${MAX_NAME_LENGTH} characters and was shortened.`,
        );
        name = name.slice(0, MAX_NAME_LENGTH);
      }
      const key = name.toLowerCase();
      const owner = seen.get(key) ?? (names.some((n) => n.toLowerCase() === key) ? names[0] : undefined);
      if (owner !== undefined) {
        warnings.push(`"${name}" appears more than once; kept it in "${owner}" only.`);
        continue;
      }
      names.push(name);
    }
    if (names.length === 0) continue;
    const label = names[0]!;
    for (const n of names) seen.set(n.toLowerCase(), label);
    classes.push({ label, names });
  }
  if (classes.length > MAX_CLASSES) {
    warnings.push(`Only the first ${MAX_CLASSES} of ${classes.length} classes are used.`);
    classes.length = MAX_CLASSES;
  }
  return { classes, warnings };
}

/** Prompts for one name: each template with "{}" replaced by the name. */
export function promptsFor(name: string, templates: readonly string[]): string[] {
  return templates.map((t) => t.split('{}').join(name));
}
