import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
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
  // Layering: the UI never touches the runtime; pure maths stays free of ORT and React.
  {
    files: ['src/ui/**', 'src/store/**', 'src/render/**', 'src/media/**', 'src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['onnxruntime-web*', '@huggingface/transformers', '**/worker/*'],
              message: 'Models run only in the worker.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/processing/**', 'src/worker/**', 'src/models/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['react', 'react-dom', 'zustand'], message: 'No UI code here.' }] },
      ],
    },
  },
  {
    files: ['src/processing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['onnxruntime-web*', 'react', 'react-dom', 'zustand', '**/worker/*'],
              message: 'Pure maths only.',
            },
          ],
        },
      ],
    },
  },
);
