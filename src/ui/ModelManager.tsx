import { useEffect, useRef, useState } from 'react';
import { EMBEDDED_MODEL } from '../config';
import { embeddedEntry, presetEntries, type ModelEntry } from '../services/catalogue';
import {
  broughtEntries,
  cacheState,
  deleteCached,
  type CacheState,
  type StoredModel,
} from '../services/modelStorage';
import { useApp } from '../store/store';
import { BringYourOwn } from './BringYourOwn';
import { ModelRow } from './ModelRow';
import { useServices } from './services';

/** Focus moves into the dialog (its heading) when it opens and back to what had it when it closes. */
function useDialogFocus() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>('h2')?.focus();
    return () => opener?.focus();
  }, []);
  return dialog;
}

const NOTHING: StoredModel = { files: 0, text: 0, problem: null };

/** Escape closes the dialog (and goes no further). */
const escapeCloses = (onClose: () => void) => (e: React.KeyboardEvent) => {
  if (e.key !== 'Escape') return;
  e.stopPropagation();
  onClose();
};

/**
 * Models: size, source, licence, cached or not; use/download, cancel, delete; storage; bring your own.
 * A dialog in the page's flow (not modal: a download's progress and the page stay usable while it is
 * open): focus moves into it when it opens, Escape or Close closes it, and focus goes back to the
 * button that opened it.
 */
export function ModelManager({ onClose }: { onClose(): void }) {
  const { controller } = useServices();
  const dialog = useDialogFocus();
  const active = useApp((s) => s.entry);
  const model = useApp((s) => s.model);
  const loadingEntry = useApp((s) => s.loadingEntry);
  const ep = useApp((s) => s.ep);
  const [cache, setCache] = useState<CacheState>({ models: {}, usage: '' });
  const [tick, setTick] = useState(0);
  const refresh = () => setTick((t) => t + 1);

  const entries: ModelEntry[] = [embeddedEntry(EMBEDDED_MODEL), ...presetEntries(controller.hub)];
  for (const e of [...(active ? [active] : []), ...broughtEntries()])
    if (!entries.some((x) => x.key === e.key)) entries.push(e);
  const keys = entries.map((e) => `${e.key} ${e.cachePrefixes.join(' ')}`).join('\n');

  // Cache state comes from the worker (Cache Storage); re-read it after every change.
  useEffect(() => {
    let alive = true;
    void cacheState(controller, entries).then((c) => alive && setCache(c));
    return () => {
      alive = false;
    };
    // `keys` stands for the entries (a new array every render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [controller, keys, tick, model, loadingEntry]);

  return (
    <dialog
      ref={dialog}
      open
      className="panel models"
      data-testid="model-manager"
      aria-labelledby="models-title"
      onKeyDown={escapeCloses(onClose)}
    >
      <div className="dialog-head">
        <h2 id="models-title" tabIndex={-1}>
          Models
        </h2>
        <button type="button" data-testid="close-models" onClick={onClose}>
          Close
        </button>
      </div>
      <ul>
        {entries.map((e) => (
          <ModelRow
            key={e.key}
            e={e}
            stored={cache.models[e.key] ?? NOTHING}
            onUse={() => void controller.load(e, ep).then(refresh)}
            onDelete={() => void deleteCached(controller, e).then(refresh)}
          />
        ))}
      </ul>
      <p className="hint" data-testid="storage-used">
        Storage used by this site: {cache.usage}
      </p>
      <BringYourOwn />
    </dialog>
  );
}
