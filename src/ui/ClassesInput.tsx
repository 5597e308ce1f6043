import { useEffect, useState } from 'react';
import { selectVocab } from '../store/selectors';
import { useApp } from '../store/store';
import { VocabPresets } from './VocabPresets';
import { useServices } from './services';

/** A long pasted list can raise thousands of distinct warnings: the first few say enough. */
const SHOWN_WARNINGS = 5;

/** Class names: commas or new lines separate classes, "|" separates names of one class. */
export function ClassesInput() {
  const { controller } = useServices();
  const committed = useApp((s) => s.classesText);
  const warnings = useApp((s) => selectVocab(s).warnings);
  const empty = useApp((s) => selectVocab(s).classes.length === 0);
  const unknown = useApp((s) => s.unknownNames);
  const names = useApp((s) => selectVocab(s).classes.reduce((n, c) => n + c.names.length, 0));
  const [text, setText] = useState(committed);
  // A vocabulary set elsewhere (a sample picture) replaces what is typed here: adjusted while
  // rendering, as React advises for state that follows a prop, not in an effect.
  const [shown, setShown] = useState(committed);
  if (committed !== shown) {
    setShown(committed);
    setText(committed);
  }

  // Debounced: typing a long name triggers one segmentation, not one a keystroke.
  useEffect(() => {
    if (text === committed) return;
    const t = setTimeout(() => controller.setClasses(text), 250);
    return () => clearTimeout(t);
  }, [text, committed, controller]);

  return (
    <section className="panel">
      <label htmlFor="classes" className="title">
        Classes
      </label>
      <textarea
        id="classes"
        data-testid="classes-input"
        value={text}
        rows={4}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        placeholder="person, bicycle | bike, road, sky"
      />
      <VocabPresets onPick={setText} />
      <p className="hint">
        Commas or new lines separate classes; <code>|</code> joins several names of one class (e.g.{' '}
        <code>bicycle | bike</code>).
      </p>
      {empty && <p className="warn">Type at least one class name to segment.</p>}
      {warnings.slice(0, SHOWN_WARNINGS).map((w, i) => (
        <p key={i} className="warn" data-testid="vocab-warning">
          {w}
        </p>
      ))}
      {warnings.length > SHOWN_WARNINGS && (
        <p className="warn" data-testid="vocab-warning">
          …and {(warnings.length - SHOWN_WARNINGS).toLocaleString('en-US')} more warnings like these.
        </p>
      )}
      {unknown.length > 0 && unknown.length <= SHOWN_WARNINGS && (
        <p className="warn" data-testid="unknown-names">
          The model knows none of the words in: {unknown.join(', ')}.
        </p>
      )}
      {unknown.length > SHOWN_WARNINGS && (
        // A preset of 150 classes on a model that knows a few words: a count, the list on request.
        <details className="warn" data-testid="unknown-names">
          <summary>
            {unknown.length.toLocaleString('en-US')} of {names.toLocaleString('en-US')} names are unknown to
            this model
          </summary>
          <p>{unknown.join(', ')}</p>
        </details>
      )}
    </section>
  );
}
