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
import { ObjectList } from './ObjectList';
import { StatusBar } from './StatusBar';
import { Viewer } from './Viewer';
import { WebcamPanel } from './WebcamPanel';

export function App() {
  const [models, setModels] = useState(false);
  const banner = useApp((s) => s.banner);
  return (
    <div className="app">
      <header>
        <h1>
          ovseg-web <small>open-vocabulary segmentation, on your machine</small>
        </h1>
        <ErrorBoundary name="The model bar">
          <ModelBar />
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
          <ModelManager onClose={() => setModels(false)} />
        </ErrorBoundary>
      )}
      <ErrorBoundary name="The messages">
        <Notices />
      </ErrorBoundary>
      <main>
        <aside>
          <ErrorBoundary name="The image input">
            <DropZone />
          </ErrorBoundary>
          <ErrorBoundary name="The sample pictures">
            <SamplePictures />
          </ErrorBoundary>
          <ErrorBoundary name="The webcam panel">
            <WebcamPanel />
          </ErrorBoundary>
          <ErrorBoundary name="The class list">
            <ClassesInput />
          </ErrorBoundary>
          <ErrorBoundary name="The controls">
            <Controls />
          </ErrorBoundary>
          <ErrorBoundary name="The legend">
            <Legend />
          </ErrorBoundary>
          <ErrorBoundary name="The object list">
            <ObjectList />
          </ErrorBoundary>
        </aside>
        <ErrorBoundary name="The viewer">
          <Viewer />
        </ErrorBoundary>
      </main>
      <ErrorBoundary name="The status bar">
        <StatusBar />
      </ErrorBoundary>
    </div>
  );
}
