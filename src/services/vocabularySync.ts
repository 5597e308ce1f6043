import type { WorkerClient } from '../client/workerClient';
import { NoModelLoadedError, RequestSupersededError, WorkerHungError } from '../errors';
import { selectVocab } from '../store/selectors';
import { useApp, type AppState } from '../store/store';
import type { ParsedVocabulary } from '../processing/vocabulary';
import { notify } from './notices';

type Sent = { vocab: ParsedVocabulary; settings: AppState['settings'] };

/**
 * Sends the vocabulary (and the user's choices among the family's settings) to the worker when it changes,
 * image or not, so names the model knows no word of are reported as soon as they are typed. The
 * store replaces its `vocab` object on every edit: comparing objects notices a change without
 * serialising anything.
 */
export class VocabularySync {
  /** What the worker was sent since its last load; null: nothing yet. */
  private sent: Sent | null = null;
  /** A vocabulary whose encoding hung the worker: not sent again by itself. */
  private hungOn: Sent | null = null;

  constructor(private client: WorkerClient) {}

  /** A load releases the worker's vocabulary: the next sync sends it again. */
  forget(): void {
    this.sent = null;
  }

  /** The vocabulary last sent hung the worker. */
  hung(): void {
    this.hungOn = this.sent;
    this.sent = null;
  }

  /**
   * Sends the current vocabulary if the worker does not have it yet. Returns whether the worker has
   * it (or will, ahead of any segmentation requested after this call).
   */
  sync(): boolean {
    const state = useApp.getState();
    const { engineReady, settings } = state;
    const vocab = selectVocab(state);
    if (vocab.classes.length === 0) {
      if (useApp.getState().unknownNames.length) useApp.setState({ unknownNames: [] });
      return false;
    }
    if (!engineReady) return false;
    // The store replaces the settings object on every choice: comparing objects notices it.
    const same = (v: Sent | null) => v?.vocab === vocab && v.settings === settings;
    if (same(this.sent)) return true;
    if (same(this.hungOn)) return false;
    const sent = (this.sent = { vocab, settings });
    this.client.setVocabulary({ classes: vocab.classes, settings }).then(
      ({ unknown }) => {
        if (this.sent === sent) useApp.setState({ unknownNames: unknown });
      },
      (e: Error) => {
        if (this.sent === sent) this.sent = null; // not set: the next sync sends it again
        // Replaced by a newer one; a hang is reported by the controller; a failed load says so itself.
        if (e instanceof RequestSupersededError || e instanceof WorkerHungError) return;
        if (e instanceof NoModelLoadedError) return;
        notify('error', e.message);
      },
    );
    return true;
  }
}
