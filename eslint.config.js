import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public/models', 'test-results', 'playwright-report'] },
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
    files: ['src/ui/**', 'src/store/**', 'src/services/**', 'src/render/**', 'src/media/**', 'src/engine/**'],
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
