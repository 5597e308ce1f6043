import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { EMBEDDED_MODEL, readConfig } from './config';
import { parseVocabulary } from './processing/vocabulary';
import { Controller } from './store/controller';
import { LiveController } from './store/liveController';
import { notify, useApp } from './store/store';
import { App } from './ui/App';
import { ErrorBoundary } from './ui/ErrorBoundary';
import './ui/styles.css';

const config = readConfig(location.search, location.href);
useApp.setState({ hub: config.hub, embeddedUrl: EMBEDDED_MODEL });
if (config.names) useApp.setState({ names: config.names });
if (config.classes) useApp.setState({ classesText: config.classes, vocab: parseVocabulary(config.classes) });
for (const problem of config.problems) notify('warning', problem);

const root = createRoot(document.getElementById('root')!);

let controller: Controller | null = null;
try {
  // A factory, so that a hung worker can be replaced by a fresh one.
  const worker = () => new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module' });
  controller = new Controller(worker, { dtype: config.dtype, gpuBufferLimit: config.gpuBufferLimit });
} catch (e) {
  // Said on the page, not thrown: an exception here would leave it blank.
  root.render(
    <p className="banner" role="alert">
      This browser cannot start the engine worker: {(e as Error).message}
    </p>,
  );
}
if (controller) {
  const live = new LiveController(controller);
  controller.init(config.ep, config.model).catch((e: Error) => notify('error', e.message));

  // Test and debugging hook, only when asked for in the URL.
  // counts(): live ORT sessions, worker-held buffers, ORT's wasm memory; deadlines: fixed bounds
  // (ms) instead of the model-scaled ones, so tests of a hung worker need not wait minutes.
  if (config.debug) {
    const c = controller;
    Object.assign(window, {
      __ovseg: {
        controller: c,
        live,
        store: useApp,
        counts: () => c.client.request('counts', {}),
        setDeadlines: (d: { segmentMs?: number; loadMs?: number }) => (c.client.overrides = d),
      },
    });
  }

  root.render(
    <StrictMode>
      <ErrorBoundary name="The page">
        <App controller={controller} live={live} />
      </ErrorBoundary>
    </StrictMode>,
  );
}
