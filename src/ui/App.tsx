import type { Controller } from '../store/controller';
import { ClassesInput } from './ClassesInput';
import { Controls } from './Controls';
import { DropZone } from './DropZone';
import { Legend } from './Legend';
import { ModelBar } from './ModelBar';
import { Notices } from './Notices';
import { StatusBar } from './StatusBar';
import { Viewer } from './Viewer';

export function App({ controller }: { controller: Controller }) {
  return (
    <div className="app">
      <header>
        <h1>
          ovseg-web <small>open-vocabulary segmentation, on your machine</small>
        </h1>
        <ModelBar controller={controller} />
      </header>
      <Notices />
      <main>
        <aside>
          <DropZone controller={controller} />
          <ClassesInput controller={controller} />
          <Controls controller={controller} />
          <Legend />
        </aside>
        <Viewer />
      </main>
      <StatusBar />
    </div>
  );
}
