import { classListToVocabulary } from '../processing/classList';
import { notify } from '../services/notices';

const PRESETS = [
  ['ade20k_150', 'ADE20K (150 classes)'],
  ['coco_stuff', 'COCO-Stuff (171 classes)'],
  ['pascal_voc_21', 'PASCAL VOC (21 classes)'],
  ['pascal_ctx_59', 'PASCAL Context (59 classes)'],
  ['cityscapes', 'Cityscapes (19 classes)'],
] as const;

/** Standard benchmark vocabularies (synonyms become names of one class). */
export function VocabPresets({ onPick }: { onPick: (text: string) => void }) {
  return (
    <label className="hint presets">
      Preset vocabulary{' '}
      <select
        data-testid="vocab-preset"
        value=""
        onChange={async (e) => {
          const id = e.target.value;
          if (!id) return;
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
          </option>
        ))}
      </select>{' '}
      <span>
        (class lists from{' '}
        <a href="https://github.com/bytedance/fc-clip" target="_blank" rel="noreferrer">
          FC-CLIP
        </a>
        , Apache-2.0)
      </span>
    </label>
  );
}
