import { useState } from 'react';
import { loadFromFiles, loadFromUrl } from '../services/modelStorage';
import { useServices } from './services';

/** "Bring your own model": a bundle's manifest address, or its files chosen from disk. */
export function BringYourOwn() {
  const { controller } = useServices();
  const [url, setUrl] = useState('');
  return (
    <>
      <h3>Bring your own model</h3>
      <form
        className="row"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (url.trim()) loadFromUrl(controller, url);
        }}
      >
        <input
          data-testid="byo-url"
          type="text"
          inputMode="url"
          aria-label="Manifest address"
          placeholder="https://…/ovseg.json"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button data-testid="byo-load" type="submit">
          Load
        </button>
      </form>
      <label className="hint">
        …or choose the bundle's files (ovseg.json, the ONNX files, tokenizer.json):
        <input
          data-testid="byo-files"
          type="file"
          multiple
          onChange={(e) => void loadFromFiles(controller, Array.from(e.target.files ?? []))}
        />
      </label>
    </>
  );
}
