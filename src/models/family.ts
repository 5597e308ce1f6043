/**
 * What a model family tells the main thread: its manifest part and what the page, the store and the
 * model catalogue need to know about a manifest of it. Main-thread-safe: no ONNX Runtime, no model
 * code (those are the family's runner, registered in `runners.ts` for the worker).
 */
import type * as v from 'valibot';
import type { ModelPart } from './manifestSchema';
import type { NamesRule } from './dense/namesRule';

/** A family's manifest part: a valibot object schema whose `family` field is its id. */
type FamilySchema = v.ObjectSchema<
  { family: v.LiteralSchema<string, undefined> } & v.ObjectEntries,
  v.ErrorMessage<v.ObjectIssue> | undefined
>;

export interface FamilyDescription<S extends FamilySchema = FamilySchema> {
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
  /** The part whose download sizes the model manager shows. */
  sizePart: string;
  /** The rule for classes with several names when the user chose none (families that offer a choice). */
  namesDefault?(m: v.InferOutput<S>): NamesRule;
  /** Words the model knows, when the manifest lists them (a hint for the user). */
  vocabulary?(m: v.InferOutput<S>): string[];
}

/** Keeps a description's exact schema type (so the registry can infer the manifest union). */
export const defineFamily = <S extends FamilySchema>(d: FamilyDescription<S>): FamilyDescription<S> => d;
