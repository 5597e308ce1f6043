import { useState } from 'react';
import { notify } from '../services/notices';
import {
  betterModelFor,
  presetVocabulary,
  suitsManyClasses,
  switchToManyClassesModel,
  VOCABULARY_PRESETS,
} from '../services/vocabularyPresets';
import { useApp } from '../store/store';
import { useServices } from './services';

/** Standard benchmark vocabularies (synonyms become names of one class). */
export function VocabPresets({ onPick }: { onPick: (text: string) => void }) {
  const { controller } = useServices();
  const [picked, setPicked] = useState('');
  const loading = useApp((s) => s.loadingEntry);
  // Follows the running model: the hint goes once the better model runs.
  const better = betterModelFor(
    picked,
    useApp((s) => s.entry?.key),
  );
  return (
    <>
      <label className="field presets">
        Preset vocabulary
        <select
          data-testid="vocab-preset"
          value=""
          onChange={async (e) => {
            const id = e.target.value;
            if (!id) return;
            setPicked(id);
            try {
              onPick(await presetVocabulary(id));
            } catch (err) {
              notify('error', `Could not load the preset: ${(err as Error).message}`);
            }
          }}
        >
          <option value="">choose…</option>
          {VOCABULARY_PRESETS.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
              {suitsManyClasses(id) ? ' · best with CLIP dense' : ''}
            </option>
          ))}
        </select>
      </label>
      <p className="hint">
        Class lists from{' '}
        <a href="https://github.com/bytedance/fc-clip" target="_blank" rel="noreferrer">
          FC-CLIP
        </a>{' '}
        (Apache-2.0).
      </p>
      {better && (
        <p className="hint" data-testid="vocab-model-hint">
          Many classes: best with {better}, whose one image pass serves every class (CLIPSeg runs once per
          name).{' '}
          <button
            data-testid="vocab-use-dense"
            disabled={loading !== null}
            onClick={() => switchToManyClassesModel(controller)}
          >
            Use it
          </button>
        </p>
      )}
    </>
  );
}
