/**
 * What a model family tells the main thread: its manifest part and what the page, the store and the
 * model catalogue need to know about a manifest of it. Main-thread-safe: no ONNX Runtime, no model
 * code (those are the family's runner, registered in `runners.ts` for the worker).
 */
import type * as v from 'valibot';
import type { ModelPart } from './manifestSchema';

/** A family's manifest part: a valibot object schema whose `family` field is its id. */
type FamilySchema = v.ObjectSchema<
  { family: v.LiteralSchema<string, undefined> } & v.ObjectEntries,
  v.ErrorMessage<v.ObjectIssue> | undefined
>;

/**
 * A choice the user makes for a family (a select in the controls, kept in the page address as
 * `?<key>=`, sent to the worker with the vocabulary). Values are strings: they travel in URLs.
 */
export interface FamilySetting<M = never> {
  /** Its name in the page address and in the vocabulary request's `settings`. */
  key: string;
  /** The control's name, its test id, and what it does (tooltip and hint). */
  label: string;
  /** What a value is, for messages: "a rule for classes with several names". */
  what: string;
  testId: string;
  hint: string;
  choices: readonly { value: string; label: string }[];
  /** The value when the user chose none: the manifest's, or the family's default. */
  defaultFor(m: M): string;
  /** What the model manager says about a model's default and how to change it. */
  describeDefault(value: string): string;
}

/** A line the status bar shows for a result of the family (its test id, text and data attributes). */
interface StatusLine {
  testId: string;
  text: string;
  data: Record<string, string | number>;
}

/**
 * `Stats`: the counters a result of this family carries beside the common ones (the result's
 * `stats[<id>]`); `Debug`: its diagnostic outputs (the result's `debug[<id>]`, with `?debug`).
 */
export interface FamilyDescription<S extends FamilySchema = FamilySchema, Stats = unknown, Debug = unknown> {
  /** The manifest's `"family"`. */
  id: v.InferOutput<S>['family'];
  /** For people (model manager, docs). */
  label: string;
  /** The family's manifest part (shared fields included; see `familySchema`). */
  schema: S;
  /** The ONNX graphs of a manifest of this family, by part name, in download order. */
  parts(m: v.InferOutput<S>): Record<string, ModelPart>;
  /** The part whose bytes (with the tokenizer's) compute the text side: it names cached text results. */
  textPart: string;
  /** The part whose download sizes decide whether a variant fits the GPU. */
  sizePart: string;
  /** Choices the user can make for a model of this family. */
  settings?: readonly FamilySetting<v.InferOutput<S>>[];
  /** What the status bar says about a result's counters (families that report some). */
  statusLine?(stats: Stats): StatusLine | null;
  /**
   * Families that find an object at a click (`Runner.prompt`): what the page tells the user, e.g.
   * "Click an object to outline it". Its presence turns clicks on the picture into prompts.
   */
  clickHint?: string;
  /** Families that propose objects (`Runner.instances`): they can be exported as COCO results. */
  exportsInstances?: boolean;
  /** The objects of a result (from its counters), for the object list: the keyboard's way to them. */
  objects?(stats: Stats): { label: string; score: number; area: number; point: [number, number] }[];
  /** A line under the legend about a result (e.g. what labels pixels no object covers). */
  legendNote?(stats: Stats): string | null;
  /** Words the model knows, when the manifest lists them (a hint for the user). */
  vocabulary?(m: v.InferOutput<S>): string[];
  /** Type carriers only (never set): let the registry derive `StatsOf` and `DebugOf`. */
  readonly types?: { stats: Stats; debug: Debug };
}

/** Keeps a description's exact types (so the registry can infer the manifest union and result types). */
export const defineFamily = <
  S extends FamilySchema,
  Stats = Record<string, never>,
  Debug = Record<string, never>,
>(
  d: FamilyDescription<S, Stats, Debug>,
): FamilyDescription<S, Stats, Debug> => d;
