import type { Controller } from '../services/controller';
import type { LiveController } from '../services/liveController';
import { useState } from 'react';
import { useApp } from '../store/store';
import { ClassesInput } from './ClassesInput';
import { ModelManager } from './ModelManager';
import { Controls } from './Controls';
import { ErrorBoundary } from './ErrorBoundary';
import { DropZone } from './DropZone';
import { Legend } from './Legend';
import { ModelBar } from './ModelBar';
import { SamplePictures } from './SamplePictures';
import { Notices } from './Notices';
import { StatusBar } from './StatusBar';
import { Viewer } from './Viewer';
import { WebcamPanel } from './WebcamPanel';

export function App({ controller, live }: { controller: Controller; live: LiveController }) {
  const [models, setModels] = useState(false);
  const banner = useApp((s) => s.banner);
  return (
    <div className="app">
      <header>
        <h1>
          ovseg-web <small>open-vocabulary segmentation, on your machine</small>
        </h1>
        <ErrorBoundary name="The model bar">
          <ModelBar controller={controller} />
        </ErrorBoundary>
        <button
          data-testid="open-models"
          aria-expanded={models}
          aria-haspopup="dialog"
          onClick={() => setModels(!models)}
        >
          Models…
        </button>
      </header>
      {banner && (
        <div className="banner" role="status" data-testid="banner">
          {banner}
        </div>
      )}
      {models && (
        <ErrorBoundary name="The model manager">
          <ModelManager controller={controller} onClose={() => setModels(false)} />
        </ErrorBoundary>
      )}
      <ErrorBoundary name="The messages">
        <Notices />
      </ErrorBoundary>
      <main>
        <aside>
          <ErrorBoundary name="The image input">
            <DropZone controller={controller} />
          </ErrorBoundary>
          <ErrorBoundary name="The sample pictures">
            <SamplePictures controller={controller} />
          </ErrorBoundary>
          <ErrorBoundary name="The webcam panel">
            <WebcamPanel live={live} />
          </ErrorBoundary>
          <ErrorBoundary name="The class list">
            <ClassesInput controller={controller} />
          </ErrorBoundary>
          <ErrorBoundary name="The controls">
            <Controls controller={controller} />
          </ErrorBoundary>
          <ErrorBoundary name="The legend">
            <Legend />
          </ErrorBoundary>
        </aside>
        <ErrorBoundary name="The viewer">
          <Viewer live={live} />
        </ErrorBoundary>
      </main>
      <ErrorBoundary name="The status bar">
        <StatusBar controller={controller} />
      </ErrorBoundary>
    </div>
  );
}
