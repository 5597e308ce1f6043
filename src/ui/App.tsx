import type { Controller } from '../store/controller';
import type { LiveController } from '../store/liveController';
import { useState } from 'react';
import { useApp } from '../store/store';
import { ClassesInput } from './ClassesInput';
import { ModelManager } from './ModelManager';
import { Controls } from './Controls';
import { DropZone } from './DropZone';
import { Legend } from './Legend';
import { ModelBar } from './ModelBar';
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
        <ModelBar controller={controller} />
        <button data-testid="open-models" aria-expanded={models} onClick={() => setModels(!models)}>
          Models…
        </button>
      </header>
      {banner && (
        <div className="banner" role="status" data-testid="banner">
          {banner}
        </div>
      )}
      {models && <ModelManager controller={controller} />}
      <Notices />
      <main>
        <aside>
          <DropZone controller={controller} />
          <WebcamPanel live={live} />
          <ClassesInput controller={controller} />
          <Controls controller={controller} />
          <Legend />
        </aside>
        <Viewer live={live} />
      </main>
      <StatusBar />
    </div>
  );
}
