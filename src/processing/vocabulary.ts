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

/**
 * What a vocabulary may cost. Label maps are uint16 (class k is stored as k + 1, 0 is
 * "unlabelled"); each name costs one text-model run per template of the model, so names per class
 * and prompts per vocabulary are bounded too: past them a vocabulary keeps a worker busy for many
 * minutes (a class of 100,000 `|`-joined names, thousands of classes times dozens of templates).
 */
export const VOCAB_LIMITS = {
  classes: 4096,
  nameLength: 200,
  namesPerClass: 64,
  /** Names x the model's templates: about 6 minutes of a full-size CLIP text model on WASM. */
  prompts: 20_000,
} as const;
const MAX_CLASSES = VOCAB_LIMITS.classes;
const MAX_NAME_LENGTH = VOCAB_LIMITS.nameLength;

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
  /** Classes with more names than a class may have, and how many of their names were left out. */
  const crowded: { label: string; over: number }[] = [];
  for (const chunk of text.split(/[,;\n\r]+/)) {
    const names: string[] = [];
    const inClass = new Set<string>();
    let over = 0;
    for (const raw of chunk.split('|')) {
      let name = clean(raw);
      if (!name) continue;
      if (names.length === VOCAB_LIMITS.namesPerClass) {
        over++;
        continue;
      }
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
    if (over > 0) crowded.push({ label, over });
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
  for (const { label, over } of crowded.slice(0, 3))
    warnings.push(
      `"${label.slice(0, 40)}" has ${count(over + VOCAB_LIMITS.namesPerClass)} names: only the first ${VOCAB_LIMITS.namesPerClass} are used (a class may have at most ${VOCAB_LIMITS.namesPerClass}).`,
    );
  if (crowded.length > 3)
    warnings.push(`${count(crowded.length - 3)} more classes have over ${VOCAB_LIMITS.namesPerClass} names.`);
  if (classes.length > MAX_CLASSES) {
    warnings.push(`Only the first ${count(MAX_CLASSES)} of ${count(classes.length)} classes are used.`);
    classes.length = MAX_CLASSES;
  }
  return { classes, warnings };
}

/**
 * Why a vocabulary costs more than a vocabulary may with `templates` prompt templates (each name is
 * encoded once per template), or null when it is within the bounds.
 */
export function vocabularyCostProblem(classes: readonly VocabClass[], templates: number): string | null {
  const crowded = classes.find((c) => c.names.length > VOCAB_LIMITS.namesPerClass);
  if (crowded)
    return `"${crowded.label.slice(0, 40)}" has ${count(crowded.names.length)} names: a class may have at most ${VOCAB_LIMITS.namesPerClass}.`;
  if (classes.length > MAX_CLASSES)
    return `The vocabulary has ${count(classes.length)} classes: at most ${count(MAX_CLASSES)}.`;
  const names = classes.reduce((n, c) => n + c.names.length, 0);
  const prompts = names * templates;
  if (prompts <= VOCAB_LIMITS.prompts) return null;
  const per = templates === 1 ? '1 template' : `${count(templates)} templates`;
  return `This vocabulary needs ${count(prompts)} prompts (${count(names)} names × ${per} of this model): at most ${count(VOCAB_LIMITS.prompts)} can be encoded. Use fewer names.`;
}

/** Prompts for one name: each template with "{}" replaced by the name. */
export function promptsFor(name: string, templates: readonly string[]): string[] {
  return templates.map((t) => t.split('{}').join(name));
}
