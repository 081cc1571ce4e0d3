import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.stack/', 'coverage/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // The operator console runs in the browser, with Alpine.js and Chart.js loaded as classic scripts.
    files: ['src/order-service/console/**/*.js'],
    languageOptions: {
      globals: { document: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly', HTMLCanvasElement: 'readonly', sessionStorage: 'readonly', Alpine: 'readonly', Chart: 'readonly' },
    },
  },
);
