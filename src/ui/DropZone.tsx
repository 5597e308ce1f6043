import { useEffect, useRef, useState } from 'react';
import { openImageFile, openImageFiles, openPasted } from '../services/imageInput';
import { useApp } from '../store/store';
import { useServices } from './services';

/** Drag-and-drop, file picker and paste (anywhere on the page) for still images. */
export function DropZone() {
  const { controller } = useServices();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const hasImage = useApp((s) => s.image !== null);

  const take = async (file: File | null | undefined) => {
    if (file) await openImageFile(controller, file);
  };

  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      if (openPasted(controller, e.clipboardData)) e.preventDefault();
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  });

  return (
    <div
      className={`dropzone${over ? ' over' : ''}${hasImage ? ' compact' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        void openImageFiles(controller, Array.from(e.dataTransfer.files), 'dropped');
      }}
      onClick={() => input.current?.click()}
      role="button"
      tabIndex={0}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && input.current?.click()}
    >
      <input
        ref={input}
        data-testid="image-input"
        type="file"
        accept="image/*"
        hidden
        onChange={(e) => {
          void take(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
      <strong>{hasImage ? 'Drop another image' : 'Drop an image here'}</strong>
      <span>or click to choose a file, or paste (Ctrl+V). Nothing leaves your computer.</span>
    </div>
  );
}
