/** The browser every end-to-end test drives: Debian's Chromium, headless, quiet on the network. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu-sandbox',
  // Without a GPU this gives WebGPU a SwiftShader (software) adapter: correct, but slow.
  '--enable-unsafe-webgpu',
];
