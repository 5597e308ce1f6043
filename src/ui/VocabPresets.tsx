import { useState } from 'react';
import { CLIP_DENSE } from '../models/presets';
import { classListToVocabulary } from '../processing/classList';
import { presetEntries } from '../services/catalogue';
import type { Controller } from '../services/controller';
import { notify } from '../services/notices';
import { useApp } from '../store/store';

/**
 * Vocabularies long enough that a model whose cost does not grow with the classes is the better
 * choice: CLIPSeg runs its decoder once per name, dense CLIP scores every class on one image pass.
 */
const MANY = new Set(['ade20k_150', 'coco_stuff']);

const PRESETS = [
  ['ade20k_150', 'ADE20K (150 classes)'],
  ['coco_stuff', 'COCO-Stuff (171 classes)'],
  ['pascal_voc_21', 'PASCAL VOC (21 classes)'],
  ['pascal_ctx_59', 'PASCAL Context (59 classes)'],
  ['cityscapes', 'Cityscapes (19 classes)'],
] as const;

/** Standard benchmark vocabularies (synonyms become names of one class). */
export function VocabPresets({
  onPick,
  controller,
}: {
  onPick: (text: string) => void;
  controller?: Controller | undefined;
}) {
  const [picked, setPicked] = useState('');
  const active = useApp((s) => s.entry);
  const loading = useApp((s) => s.loadingEntry);
  const ep = useApp((s) => s.ep);
  const suggest = MANY.has(picked) && active?.key !== CLIP_DENSE.id;
  const useDense = () => {
    if (!controller) return;
    const entry = presetEntries(controller.hub).find((e) => e.key === CLIP_DENSE.id);
    if (entry) void controller.load(entry, ep);
  };
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
              const res = await fetch(`${import.meta.env.BASE_URL}vocab/${id}.txt`);
              if (!res.ok) throw new Error(`HTTP ${res.status}`);
              onPick(classListToVocabulary(await res.text()));
            } catch (err) {
              notify('error', `Could not load the preset: ${(err as Error).message}`);
            }
          }}
        >
          <option value="">choose…</option>
          {PRESETS.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
              {MANY.has(id) ? ' · best with CLIP dense' : ''}
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
      {suggest && (
        <p className="hint" data-testid="vocab-model-hint">
          Many classes: best with {CLIP_DENSE.manifest.name}, whose one image pass serves every class (CLIPSeg
          runs once per name).{' '}
          {controller && (
            <button data-testid="vocab-use-dense" disabled={loading !== null} onClick={useDense}>
              Use it
            </button>
          )}
        </p>
      )}
    </>
  );
}
