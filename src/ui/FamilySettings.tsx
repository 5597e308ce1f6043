import { familyById } from '../models/families';
import { useApp } from '../store/store';
import { useServices } from './services';

/**
 * The loaded model's family's own choices (for CLIPSeg: how a class with several names is scored),
 * read from its description: one select each, the model's default marked. Nothing for families
 * that offer none.
 */
export function FamilySettings() {
  const { controller } = useServices();
  const model = useApp((s) => s.model);
  const chosen = useApp((s) => s.settings);
  if (!model) return null;
  return (familyById(model.family).settings ?? []).map((s) => {
    const byDefault = model.settings[s.key];
    return (
      <label key={s.key} className="field" title={s.hint}>
        {s.label}
        <select
          data-testid={s.testId}
          value={chosen[s.key] ?? byDefault}
          onChange={(e) => controller.setSetting(s.key, e.target.value)}
        >
          {s.choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
              {c.value === byDefault ? " (this model's default)" : ''}
            </option>
          ))}
        </select>
        <span className="hint">{s.hint}</span>
      </label>
    );
  });
}
