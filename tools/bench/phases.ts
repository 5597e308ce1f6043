/** The page bench's scenario steps, in order: shared with the device kit's Node run of the same work. */
import type { ScenarioId } from './report';
import { ADE, TEN, TEN_MORE, VOC, VOC_PLUS, type BenchClass } from './inputs';

export interface Step {
  id: ScenarioId;
  image: string;
  classes: readonly BenchClass[];
  labels?: boolean;
  live?: boolean;
}

/** Phase A shares one page (S2-S4 and S6 build on S1's state); S5 starts a fresh page (first run). */
export const phases = (frames: number): Step[][] => [
  [
    { id: 'S1', image: 'a', classes: TEN, labels: true },
    { id: 'S1steady', image: 'c', classes: TEN_MORE },
    { id: 'S2', image: 'a', classes: VOC },
    { id: 'S3', image: 'a', classes: VOC_PLUS },
    { id: 'S4', image: 'b', classes: VOC },
    ...Array.from({ length: frames }, (_, i): Step => ({
      id: 'S6',
      image: `frame${i}`,
      classes: VOC,
      live: true,
    })),
  ],
  [
    { id: 'S5', image: 'a', classes: ADE },
    { id: 'S5new', image: 'b', classes: ADE },
  ],
];
