import { useApp } from '../store/store';
import type { Controller } from './controller';
import { openImageFile } from './imageInput';
import { notify } from './notices';

/** A picture shipped with the app (public/samples/, credits in its README), with classes to try. */
export interface Sample {
  id: string;
  title: string;
  /** Who made it and under what terms, shown beside it. */
  credit: string;
  /** For models that name things. */
  objects: string;
  /** For a model that knows only listed words (the embedded colours model). */
  colours: string;
}

export const SAMPLES: readonly Sample[] = [
  {
    id: 'astronaut',
    title: 'Astronaut',
    credit: 'Eileen Collins, NASA (public domain)',
    objects: 'person | astronaut, flag, space shuttle | rocket, helmet, wall',
    colours: 'orange, white, sky | blue, red, black',
  },
  {
    id: 'coffee',
    title: 'Coffee',
    credit: 'Rachel Michetti, CC0',
    objects: 'cup, saucer | plate, spoon, coffee, table',
    colours: 'red, wood | brown, white, silver | grey, orange',
  },
  {
    id: 'rocket',
    title: 'Launch',
    credit: 'SpaceX (public domain)',
    objects: 'rocket, sky, smoke | cloud, tower, trees',
    colours: 'sky | blue, white, green, grey, black, yellow',
  },
];

const url = (file: string) => `${import.meta.env.BASE_URL}samples/${file}`;
export const thumbnailUrl = (s: Sample) => url(`${s.id}-thumb.jpg`);

/**
 * Opens a sample picture with a vocabulary that suits the running model: its colour words when the
 * model lists the words it knows, its object names otherwise.
 */
export async function openSample(controller: Controller, s: Sample): Promise<void> {
  // Begun before the classes change: their segmentation waits for the sample, not the old picture.
  const seq = controller.beginInput();
  try {
    const res = await fetch(url(`${s.id}.jpg`));
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const file = new File([await res.blob()], `${s.id}.jpg`, { type: 'image/jpeg' });
    const listsWords = (useApp.getState().model?.vocabulary.length ?? 0) > 0;
    controller.setClasses(listsWords ? s.colours : s.objects);
    await openImageFile(controller, file, seq);
  } catch (e) {
    controller.inputFailed(seq);
    notify('error', `Could not open the sample picture: ${(e as Error).message}`);
  }
}
