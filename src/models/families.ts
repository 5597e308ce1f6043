/**
 * The registry of model families, main-thread side: each family's description (manifest part,
 * parts, defaults). The manifest schema is the union of the families' parts. Adding a family is one
 * line here (and one in `runners.ts`, the worker side); see `README.md` in this folder.
 */
import * as v from 'valibot';
import { clipDenseFamily } from './clipdense/family';
import { denseFamily } from './dense/family';
import type { FamilyDescription, FamilySetting } from './family';
import type { ModelPart } from './manifestSchema';
import { queryFamily } from './query/family';
import { samClipFamily } from './samclip/family';

/** Every family, in the order error messages list them. */
export const FAMILY_LIST = [queryFamily, denseFamily, clipDenseFamily, samClipFamily] as const;

/** The tuple of the families' schemas, typed element by element (for the union's output type). */
type SchemasOf<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never;
};
type Schemas = SchemasOf<typeof FAMILY_LIST>;

const ids = FAMILY_LIST.map((f) => `"${f.id}"`);
const expected = ids.length > 1 ? `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}` : ids[0]!;

/** The manifest's schema: one of the families' parts, chosen by `"family"`. */
export const manifestSchema = v.variant(
  'family',
  FAMILY_LIST.map((f) => f.schema) as unknown as Schemas,
  `must be ${expected}`,
);

export type Manifest = v.InferOutput<typeof manifestSchema>;
export type FamilyId = Manifest['family'];

type Description<F extends FamilyId> = Extract<(typeof FAMILY_LIST)[number], { id: F }>;
/** A family's counters beside the common runs, and its diagnostic outputs (see FamilyDescription). */
type StatsOf<F extends FamilyId> = NonNullable<Description<F>['types']>['stats'];
type DebugOf<F extends FamilyId> = NonNullable<Description<F>['types']>['debug'];
/** A result's family counters, keyed by family (as ONNX Runtime keys options by provider). */
export type FamilyStats = { [F in FamilyId]?: StatsOf<F> };
/** A result's family diagnostics, keyed by family. */
export type FamilyDebug = { [F in FamilyId]?: DebugOf<F> };

const BY_ID = new Map<string, FamilyDescription>(
  FAMILY_LIST.map((f) => [f.id, f as unknown as FamilyDescription]),
);

/** The description of a manifest's family. */
export function familyOf(m: Manifest): FamilyDescription {
  return BY_ID.get(m.family)!;
}

/** The ONNX graphs of a manifest, by part name. */
export const partsOf = (m: Manifest): Record<string, ModelPart> => familyOf(m).parts(m);

/** A family's description by id (for a loaded model, whose manifest the page does not hold). */
export const familyById = (id: FamilyId): FamilyDescription => BY_ID.get(id)!;

/** The choices a manifest's family offers (none for most). */
export const settingsOf = (m: Manifest): readonly FamilySetting<Manifest>[] =>
  (familyOf(m).settings ?? []) as readonly FamilySetting<Manifest>[];

/** The value of each of a manifest's settings when the user chose none. */
export const settingDefaults = (m: Manifest): Record<string, string> =>
  Object.fromEntries(settingsOf(m).map((s) => [s.key, s.defaultFor(m)]));

/**
 * A value for each of a manifest's settings: the user's where the family offers it, else the
 * default (a key the family lacks or a value it does not offer is the model's default).
 */
export const resolveSettings = (
  m: Manifest,
  asked: Readonly<Record<string, string>>,
): Record<string, string> =>
  Object.fromEntries(
    settingsOf(m).map((s) => {
      const value = asked[s.key];
      return [
        s.key,
        value !== undefined && s.choices.some((c) => c.value === value) ? value : s.defaultFor(m),
      ];
    }),
  );

/** Every setting key any family offers, with its choices (the page address is read before a model loads). */
export const ALL_SETTINGS: readonly FamilySetting[] = FAMILY_LIST.flatMap(
  (f) => (f.settings ?? []) as readonly FamilySetting[],
);

/** The part whose download sizes the model manager shows. */
export const sizePartOf = (m: Manifest): ModelPart => partsOf(m)[familyOf(m).sizePart]!;
