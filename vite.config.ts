import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Multi-threaded WASM needs SharedArrayBuffer, which needs cross-origin isolation.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  // transformers.js imports ORT's separate WebGPU build; one shared runtime (and one .wasm) is enough.
  resolve: { alias: [{ find: /^onnxruntime-web\/webgpu$/, replacement: 'onnxruntime-web' }] },
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
