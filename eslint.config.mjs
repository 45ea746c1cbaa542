// Lint rules that keep the rooms honest: workflows/ and domain/ stay deterministic (no I/O, no Node built-ins,
// no SDK clients, no process), and no promise is left floating anywhere.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const ioModules = [
  ...builtinModules,
  ...builtinModules.map((name) => `node:${name}`),
  'telegraf',
  '@anthropic-ai/sdk',
  'ioredis',
  'pino',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'coverage/**', '.relay-data/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'Deterministic code: do I/O in an activity instead.', allowTypeImports: true })),
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/client/**', '**/workers/**'],
              message: 'Workflows import activities as types only.',
              allowTypeImports: true,
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'Workflows must not read the environment.' }],
    },
  },
  { files: ['**/*.mjs'], languageOptions: { parserOptions: { projectService: false } }, ...tseslint.configs.disableTypeChecked },
);
