/**
 * How the dense (CLIPSeg) family scores a class with several names: GKC's max over names (one decoder
 * row per name, i.e. per prompt) or, cheaper, one decoder row per class from the average of its
 * normalised name embeddings. `auto` takes the max up to MAX_ROWS prompts and averages above.
 */
export type NamesRule = 'auto' | 'max' | 'mean';
export const NAMES_RULES: readonly NamesRule[] = ['auto', 'max', 'mean'];

/** Above this many prompts, `auto` averages each class's names into one decoder row. */
export const MAX_ROWS = 48;

/** Which rule ran for the current vocabulary (dense results carry it). */
export interface RowsReport {
  rule: 'max' | 'mean';
  /** Decoder rows per image (prompts for max, classes for mean). */
  count: number;
  prompts: number;
  /** The rule asked for: the user's choice, else the manifest's `classMode`, else `auto`. */
  asked: NamesRule;
  /** False for exports that cannot take an averaged embedding (their decoder runs per prompt). */
  canAverage: boolean;
}

/** The rule that runs for `prompts` prompts. */
export function chooseRows(asked: NamesRule, prompts: number, canAverage: boolean): 'max' | 'mean' {
  if (!canAverage) return 'max';
  return asked === 'mean' || (asked === 'auto' && prompts > MAX_ROWS) ? 'mean' : 'max';
}

/** The select's words for each rule. */
export const NAMES_RULE_LABELS: Record<NamesRule, string> = {
  auto: `auto: best name up to ${MAX_ROWS} names, averaged above`,
  max: "best name (GKC's max, one decoder row per name)",
  mean: 'average per class (one decoder row per class)',
};

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** The status line: which rule ran, and how to get the other. */
export function rowsText(r: RowsReport): string {
  if (r.rule === 'max') {
    const why = r.asked === 'mean' && !r.canAverage ? ' (this export cannot average names)' : '';
    return `Names: max over ${plural(r.prompts, 'name')}, one decoder row each${why}`;
  }
  const rows = `Names: averaged per class (${plural(r.count, 'row')})`;
  return r.asked === 'auto'
    ? `${rows} — above ${MAX_ROWS} names; choose 'best name' for GKC's max`
    : `${rows} — chosen; choose 'best name' for GKC's max`;
}

/** What the model manager says about a dense model's default rule and how to change it. */
export function defaultRuleText(byDefault: NamesRule): string {
  const rule =
    byDefault === 'max'
      ? "max over names (one decoder row per name), set by this model's manifest"
      : byDefault === 'mean'
        ? "names averaged per class (one decoder row per class), set by this model's manifest"
        : `auto: max over names (one decoder row per name) up to ${MAX_ROWS} names, each class's names averaged into one row above`;
  return `Several names per class: ${rule}. Switch with "Class names" in the controls or ?names=auto|max|mean.`;
}
