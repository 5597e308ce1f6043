import { RequestSupersededError } from '../errors';
import type { PromptPoint } from '../shared/protocol';
import { useApp } from '../store/store';
import type { Controller } from './controller';
import { notify } from './notices';

let asked = 0;

/**
 * A click on the still picture (families that find an object at a click): a positive point, or a
 * negative one (`positive: false`, a modifier-click), added to the points of the same object; the
 * worker finds the object at all of them. A newer click's answer replaces an older one's.
 */
export async function addPoint(controller: Controller, point: PromptPoint): Promise<void> {
  const { image, prompt } = useApp.getState();
  if (!image) return;
  const points = [...(prompt?.image === image ? prompt.points : []), point];
  useApp.setState({ prompt: { image, points, result: prompt?.image === image ? prompt.result : null } });
  const mine = ++asked;
  try {
    const result = await controller.client.request('prompt', { points });
    const now = useApp.getState();
    if (mine === asked && now.image === image) useApp.setState({ prompt: { image, points, result } });
  } catch (e) {
    if (e instanceof RequestSupersededError) return;
    notify('error', (e as Error).message);
  }
}

/** Forgets the points and their object (Escape, or a new picture). */
export function clearPoints(): void {
  asked++;
  useApp.setState({ prompt: null });
}
