import { useId } from 'react';

interface Props {
  /** The control's name, read by screen readers and shown above it. */
  label: string;
  /** The value as people read it ("60%", "off"): shown, and announced as the slider's value. */
  shown: string;
  value: number;
  min: number;
  max: number;
  step: number;
  testId: string;
  /** What the control does, as a tooltip and the slider's description. */
  hint?: string;
  onChange(value: number): void;
}

/**
 * A range input with its name and current value. The label is tied to the input by id (a label
 * wrapping an `<output>` names the output, not the slider), and `aria-valuetext` reads the value
 * as it is shown.
 */
export function Slider({ label, shown, value, min, max, step, testId, hint, onChange }: Props) {
  const id = useId();
  return (
    <div className="slider" title={hint}>
      <label htmlFor={id}>{label}</label> <output htmlFor={id}>{shown}</output>
      <input
        id={id}
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        aria-valuetext={shown}
        data-testid={testId}
        onChange={(e) => onChange(Number(e.target.value))}
      />
    </div>
  );
}
