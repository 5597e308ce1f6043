import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns for the layers (gitignore-style; `!` re-allows). */
const NO_RUNTIME = {
  group: ['onnxruntime-web', 'onnxruntime-web/*', '@huggingface/transformers'],
  message: 'Models run only in the worker.',
};
const NO_WORKER = {
  group: ['**/worker', '**/worker/**'],
  message: 'The worker is reached only by messages.',
};
const NO_UI = {
  group: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*', '**/ui/**'],
  message: 'No UI code here.',
};
const NO_PAGE_STATE = { group: ['**/store/**'], message: 'The page state belongs to the main thread.' };
/** What both threads share lives in src/shared: the worker and the models never reach the page's side. */
const NO_CLIENT = {
  group: ['**/client', '**/client/**', '**/services/**'],
  message: "The page's side of the worker: what both threads need goes to src/shared.",
};
/** Model code (runners, ONNX tools, runtime); the families' descriptions and manifests are allowed. */
const NO_MODEL_CODE = {
  regex: '(^|/)models/(?!(families|family|hub|manifest|manifestSchema|presets)$)(?![\\w-]+/family$)',
  message: 'Only model descriptions (families, manifests, presets, the hub layout) outside the worker.',
};
/** Within src/models: what a description (imported by the page) must not pull in. */
const NO_SIBLING_MODEL_CODE = {
  group: ['**/*Runner', '**/*Model', '**/runners', '**/runtime/**', '**/onnx/**'],
  message: 'A family description is imported by the page: no model code in it.',
};
/**
 * A family's folder uses the shared layer (src/models, onnx/, runtime/, gkc/ for GKC's scoring,
 * clip/ for the CLIP towers), never another family's.
 */
const NO_OTHER_FAMILY = {
  regex: '^\\.\\./(?!onnx/|runtime/|gkc/|clip/)[\\w-]+/',
  message:
    'Families do not import each other: shared code goes to src/models, onnx/, runtime/, gkc/ or clip/.',
};
/**
 * The families' ids, read from each family folder's description (`id: '…'` in
 * src/models/<folder>/family.ts), so a new family needs no edit here; tools/layers.test.ts checks
 * the list against the registry. Only the registries may test a manifest or result for one:
 * everything else asks the family's description (its parts, settings, status line).
 */
const MODELS = fileURLToPath(new URL('./src/models/', import.meta.url));
const FAMILY_IDS = readdirSync(MODELS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${MODELS}${d.name}/family.ts`))
  .map((d) => /\bid: '([\w-]+)'/.exec(readFileSync(`${MODELS}${d.name}/family.ts`, 'utf8'))?.[1])
  .filter(Boolean);
const idPattern = `/^(${FAMILY_IDS.join('|')})$/`;
const NO_FAMILY_TESTS = [
  {
    selector: `BinaryExpression[operator=/^[!=]==?$/] > Literal[value=${idPattern}]`,
    message: "Ask the family's description (src/models/families.ts) instead of testing its id.",
  },
  {
    selector: `SwitchCase > Literal[value=${idPattern}]`,
    message: "Ask the family's description (src/models/families.ts) instead of testing its id.",
  },
];
/** A family's maths (and GKC's shared scoring) import only the generic kernels of src/processing. */
const ONLY_KERNELS = {
  regex: '^(?!\\./|(\\.\\./)+processing/)',
  message: "A family's maths imports only generic kernels (src/processing) and its own folder.",
};
/** The service worker is built alone, without a bundler (tools/vite/offlineShell.ts). */
const NO_IMPORT = { regex: '.', message: 'The service worker is built alone: it imports nothing.' };
/** Pure maths imports only itself (tests may use the shared test helpers in test-support/, and the Node image decoding of tools/lib). */
const NO_APP = {
  regex: '^\\.\\./(?!\\.\\./(test-support|tools/lib)/)',
  message: 'src/processing is pure maths: it imports nothing of the app.',
};

export default tseslint.config(
  {
    ignores: [
      // Scratch and generated files (bench models, the device kit's bundle): git ignores it too.
      '.tmp',
      'dist',
      'node_modules',
      'public/models',
      'test-results',
      'playwright-report',
      'src/models/onnx/proto/onnx.*',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  // Layers (src/models/README.md): ui and store -> models' descriptions only -> the worker runs models;
  // families never import the worker or the page; processing is pure maths. Later entries replace
  // earlier ones for the same file, so each folder lists all of its restrictions.
  {
    files: [
      'src/ui/**',
      'src/store/**',
      'src/services/**',
      'src/render/**',
      'src/media/**',
      'src/client/**',
      'src/*.{ts,tsx}',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_RUNTIME, NO_WORKER, NO_MODEL_CODE] }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/models/families.ts', 'src/models/runners.ts', '**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...NO_FAMILY_TESTS] },
  },
  {
    // The page's side of the worker holds no page state: that is the services' business.
    files: ['src/client/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_RUNTIME, NO_WORKER, NO_MODEL_CODE, NO_PAGE_STATE] }],
    },
  },
  // One owner of state: only src/services writes the store; components call the services' actions.
  {
    files: ['src/ui/**', 'src/store/**', 'src/main.tsx', 'src/debugApi.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='setState'][callee.object.name='useApp']",
          message: 'Only src/services writes the store: call a service action.',
        },
        ...NO_FAMILY_TESTS,
      ],
    },
  },
  {
    // Tests may drive the page's controller against the real engine (loadFlow.test.ts).
    files: ['src/worker/**'],
    ignores: ['src/worker/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_UI, NO_PAGE_STATE, NO_CLIENT] }] },
  },
  {
    files: ['src/models/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_UI, NO_PAGE_STATE, NO_WORKER, NO_CLIENT] }] },
  },
  {
    files: ['src/models/*/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_UI, NO_PAGE_STATE, NO_WORKER, NO_CLIENT, NO_OTHER_FAMILY] },
      ],
    },
  },
  {
    // Both threads' vocabulary: the messages, the backend names, the adapter probe.
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_UI, NO_PAGE_STATE, NO_WORKER, NO_CLIENT, NO_RUNTIME] },
      ],
    },
  },
  {
    // What the page imports from src/models: descriptions and manifests, never model code.
    files: [
      'src/models/families.ts',
      'src/models/family.ts',
      'src/models/*/family.ts',
      'src/models/hub.ts',
      'src/models/manifest.ts',
      'src/models/manifestSchema.ts',
      'src/models/presets.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [NO_UI, NO_PAGE_STATE, NO_WORKER, NO_CLIENT, NO_RUNTIME, NO_SIBLING_MODEL_CODE] },
      ],
    },
  },
  {
    files: ['src/sw/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_IMPORT] }] },
  },
  {
    files: ['src/models/gkc/**', 'src/models/*/maths/**'],
    ignores: ['**/*.test.ts', '**/*.testing.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_RUNTIME, NO_UI, ONLY_KERNELS] }] },
  },
  {
    files: ['src/processing/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_RUNTIME, NO_UI, NO_APP] }] },
  },
);
