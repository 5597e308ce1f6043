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
const MAX_CLASSES = 4096;
const MAX_NAME_LENGTH = 200;

const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Parses "person, bicycle | bike, road\nsky": commas, semicolons or new lines separate classes,
 * `|` separates several names of one class (the first name labels it). Names are data: they key
 * Maps only, so any text ("constructor", "__proto__") is a name like another. Repeated warnings are
 * grouped: a name pasted 20,000 times gives one line, not 19,999.
 */
export function parseVocabulary(text: string): ParsedVocabulary {
  const classes: VocabClass[] = [];
  /** Lower-cased name -> the label of the class that has it. */
  const seen = new Map<string, string>();
  /** Lower-cased name -> how a repeat was written, the class that kept it, and how many were dropped. */
  const repeats = new Map<string, { name: string; owner: string; dropped: number }>();
  const shortened: string[] = [];
  for (const chunk of text.split(/[,;\n\r]+/)) {
    const names: string[] = [];
    const inClass = new Set<string>();
    for (const raw of chunk.split('|')) {
      let name = clean(raw);
      if (!name) continue;
      if (name.length > MAX_NAME_LENGTH) {
        shortened.push(name);
        name = name.slice(0, MAX_NAME_LENGTH);
      }
      const key = name.toLowerCase();
      const owner = seen.get(key) ?? (inClass.has(key) ? names[0] : undefined);
      if (owner !== undefined) {
        const r = repeats.get(key);
        if (r) r.dropped++;
        else repeats.set(key, { name, owner, dropped: 1 });
        continue;
      }
      names.push(name);
      inClass.add(key);
    }
    if (names.length === 0) continue;
    const label = names[0]!;
    for (const n of names) seen.set(n.toLowerCase(), label);
    classes.push({ label, names });
  }
  const warnings: string[] = [];
  if (shortened.length === 1)
    warnings.push(
      `"${shortened[0]!.slice(0, 24)}…" is longer than ${MAX_NAME_LENGTH} characters and was shortened.`,
    );
  else if (shortened.length > 1)
    warnings.push(
      `${count(shortened.length)} names (the first: "${shortened[0]!.slice(0, 24)}…") are longer than ${MAX_NAME_LENGTH} characters and were shortened.`,
    );
  for (const { name, owner, dropped } of repeats.values())
    warnings.push(
      dropped === 1
        ? `"${name}" appears more than once; kept it in "${owner}" only.`
        : `"${name}" appears ${count(dropped + 1)} times (${count(dropped)} repeats); kept it in "${owner}" only.`,
    );
  if (classes.length > MAX_CLASSES) {
    warnings.push(`Only the first ${count(MAX_CLASSES)} of ${count(classes.length)} classes are used.`);
    classes.length = MAX_CLASSES;
  }
  return { classes, warnings };
}

/** Prompts for one name: each template with "{}" replaced by the name. */
export function promptsFor(name: string, templates: readonly string[]): string[] {
  return templates.map((t) => t.split('{}').join(name));
}
