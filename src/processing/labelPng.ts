import { encode } from 'fast-png';

/**
 * Label map as a greyscale PNG: pixel value = class index + 1, 0 = unlabelled. 8-bit while the
 * labels fit, 16-bit beyond 255 classes.
 */
export function encodeLabelPng(
  labels: Uint16Array,
  width: number,
  height: number,
  numClasses: number,
): Uint8Array {
  // Values run 0..numClasses: 8 bits hold them up to 255 classes.
  const depth = numClasses > 255 ? 16 : 8;
  const data = depth === 8 ? Uint8Array.from(labels) : labels;
  return encode({ width, height, data, channels: 1, depth });
}

/** The JSON that travels beside the PNG: what each pixel value means. */
export function labelLegendJson(classes: { label: string; names: string[] }[], modelId: string): string {
  return JSON.stringify(
    {
      model: modelId,
      unlabelled: 0,
      classes: classes.map((c, i) => ({ value: i + 1, label: c.label, names: c.names })),
    },
    null,
    2,
  );
}
