// ESLint: typescript-eslint's strict type-checked rules over every TypeScript file the type
// checker reads (src, test, bench, demo, training). Formatting is Prettier's job
// (`npm run format:check`), so no stylistic rules here. Each rule relaxed below says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**', 'bench/results/**', 'python/**', '**/*.mjs', '**/*.js', '**/*.cjs', '**/*.d.mts'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // With `noUncheckedIndexedAccess`, `a[i]!` after a bounds-checked loop is the deliberate idiom
      // in the kernels and schema code; the alternative (`?? 0`) would hide an out-of-range bug.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers and booleans print predictably in messages; objects and nullish values still fail.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void f()`-style arrow shorthands in callbacks are clear enough, and so is `return f()` of a void call
      // from a function that itself returns void (the early-return idiom of the request handlers and schedulers).
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true },
      ],
      // `void f()` is the marker ignoreVoidOperator above accepts for "discard this void result"; flagging it
      // as meaningless contradicts that (the two rules' fixes undo each other).
      '@typescript-eslint/no-meaningless-void-operator': 'off',
      // A leading `_` marks a deliberately unused binding (rest-destructuring to drop a key, a callback's unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Methods that implement async interfaces (Store, IOHandler, KV stores) stay `async` with synchronous bodies so that
      // a throw becomes a rejection, as callers expect; the rule flags every one of them.
      '@typescript-eslint/require-await': 'off',
      // Passing a caught `unknown` on to a promise's reject is forwarding, not creating, a non-Error reason.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Validators of untrusted values: manifests, schemas and registries parsed from JSON, rows and
    // options from JavaScript callers, errors thrown by tfjs. They are typed as what they claim to
    // be, and every check the rule calls unnecessary is for the case where they are not.
    files: [
      'src/check-options.ts',
      'src/model/parse-manifest.ts',
      'src/model/check-io.ts',
      'src/schema/check.ts',
      'src/schema/check-steps.ts',
      'src/schema/compile.ts',
      'src/schema/fit.ts',
      'src/schema/layout.ts',
      'src/telemetry/options.ts',
      'src/runtime/graph-async.ts',
      'src/runtime/backends.ts',
    ],
    rules: { '@typescript-eslint/no-unnecessary-condition': 'off' },
  },
  {
    // Tests read JSON from servers and tfjs internals through `any` on purpose, and node:test's
    // `describe`/`it` return promises the runner itself awaits.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Likewise they print such untyped values (rows, thrown values, IndexedDB keys) in messages and fixtures.
      '@typescript-eslint/no-base-to-string': 'off',
      // The test servers' node:http handlers are async functions with their own try/catch.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
    },
  },
);
