import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { readConfig } from './config';
import { installDebugApi } from './debugApi';
import { Controller } from './services/controller';
import { LiveController } from './services/liveController';
import { registerOfflineShell } from './services/offlineShell';
import { startApp } from './services/startup';
import { App } from './ui/App';
import { ServicesProvider } from './ui/services';
import { ErrorBoundary } from './ui/ErrorBoundary';
import './ui/styles.css';

// Only wiring here: the services write the store (the page address's settings, via startApp).
const config = readConfig(location.search, location.href);

const root = createRoot(document.getElementById('root')!);

let controller: Controller | null = null;
try {
  // A factory, so that a hung worker can be replaced by a fresh one.
  const worker = () => new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module' });
  controller = new Controller(worker, {
    dtype: config.dtype,
    gpuBufferLimit: config.gpuBufferLimit,
    hub: config.hub,
  });
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
  const started = startApp(controller, config);
  // Only a build has the service worker (the dev server serves sources, not a fixed set of files).
  if (import.meta.env.PROD) registerOfflineShell(started);

  // Test and debugging hook, only when asked for in the URL.
  if (config.debug) installDebugApi(controller, live);

  root.render(
    <StrictMode>
      <ErrorBoundary name="The page">
        <ServicesProvider value={{ controller, live }}>
          <App />
        </ServicesProvider>
      </ErrorBoundary>
    </StrictMode>,
  );
}
