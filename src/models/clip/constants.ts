/** CLIP's own constants, as every Hugging Face CLIP preprocessor and OpenAI's code use them. */

/** CLIP's pixel normalisation (OpenAI CLIP, also every Hugging Face CLIP preprocessor). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
/** CLIP's learned logit scale at the end of training (exp(4.6052) = 100). */
export const CLIP_LOGIT_SCALE = 100;
/** A short list of CLIP prompt templates (from OpenAI's ImageNet ensemble), `{}` is the name. */
export const DEFAULT_TEMPLATES: readonly string[] = [
  'a photo of a {}.',
  'a photo of the {}.',
  'a photo of a small {}.',
  'a photo of a large {}.',
  'a bad photo of a {}.',
  'a cropped photo of a {}.',
  'a good photo of a {}.',
  'art of the {}.',
];
