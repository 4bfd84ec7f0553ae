// Layer rules (see docs/architecture.md): the folder a file lives in decides what it may import,
// and no module may import itself back through others (import-x/no-cycle).
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import globals from 'globals';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// Records keyed by outside data must have no prototype (common/emptyRecord.ts explains why).
// Type-aware linting could follow a `{}` to every computed index, but it needs the whole
// program typed on each run; these syntax selectors catch the shapes that carry the bug here:
// a string-keyed Record initialised with an object literal, and `r[k] ??= …`, which on a plain
// object returns Object.prototype for k = "__proto__". Keys from our own code can use
// emptyRecord() too: it costs nothing and keeps the rule simple.
const prototypeFreeRecords = {
  'no-restricted-syntax': [
    'error',
    ...[
      "VariableDeclarator[id.typeAnnotation.typeAnnotation.typeName.name='Record'][id.typeAnnotation.typeAnnotation.typeArguments.params.0.type='TSStringKeyword'][init.type='ObjectExpression']",
      "PropertyDefinition[typeAnnotation.typeAnnotation.typeName.name='Record'][typeAnnotation.typeAnnotation.typeArguments.params.0.type='TSStringKeyword'][value.type='ObjectExpression']",
      "TSAsExpression[expression.type='ObjectExpression'][typeAnnotation.typeName.name='Record'][typeAnnotation.typeArguments.params.0.type='TSStringKeyword']",
    ].map((selector) => ({
      selector,
      message:
        'a string-keyed record from an object literal inherits Object.prototype ("__proto__", "constructor"): use emptyRecord() from common/emptyRecord.ts or a Map',
    })),
    {
      selector: "CallExpression[callee.object.name='Object'][callee.property.name='fromEntries']",
      message:
        'Object.fromEntries builds a record that inherits Object.prototype (r["constructor"] reads a function): use recordFrom() from common/emptyRecord.ts',
    },
    {
      selector: "AssignmentExpression[operator=/^(\\?\\?|\\|\\||&&)=$/][left.type='MemberExpression'][left.computed=true]",
      message: 'r[k] ??= … on a plain object returns Object.prototype for k = "__proto__": use a Map (get/set) or emptyRecord() with Object.hasOwn',
    },
  ],
};

const restrict = (patterns, paths = []) => ({
  'no-restricted-imports': ['error', { paths, patterns }],
});

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'e2e/output/**', 'bench/output/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // ssh2 is CommonJS: Node's ESM loader cannot see its named exports in the built bundle
      // (vitest hides this), so value imports must go through the default export.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'ssh2',
              importNames: ['Client', 'Server', 'utils', 'HTTPAgent', 'HTTPSAgent'],
              message: "import ssh2 from 'ssh2' and destructure: it is CommonJS",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Imports are followed as Node resolves them (relative paths without an extension mean .ts),
    // so the rules below see the real file an import names, not its spelling.
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] })],
    },
    rules: {
      // A module that imports itself back through others runs before its own exports exist
      // (an undefined import or a TDZ error, depending on who loaded first). Type-only imports
      // are erased by tsc and are not followed.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['common/**/*.ts', 'main/**/*.ts', 'preload/**/*.ts', 'renderer/**/*.{ts,tsx}', 'sim/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: prototypeFreeRecords,
  },
  {
    // Plain JavaScript scripts and the Electron stand-in run in Node.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // common/ is the contract: plain TS plus zod, runnable anywhere.
    // An allow-list, not a deny-list: zod and common's own files, nothing else.
    files: ['common/**/*.ts'],
    ignores: ['common/**/*.test.ts'],
    rules: restrict([{ regex: '^(?!zod$|\\.\\.?/)', message: 'common/ imports only zod and its own files: it is the contract, runnable anywhere' }]),
  },
  {
    files: ['common/**/*.test.ts'],
    rules: restrict([{ regex: '^(?!zod$|vitest$|\\.\\.?/)', message: 'common/ tests import only vitest, zod and common itself' }]),
  },
  {
    // relative imports, yes, but only of common's own files (resolved, so ../ cannot climb out)
    files: ['common/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { zones: [{ target: './common', from: './', except: ['./common', './node_modules'], message: 'common/ imports only zod and its own files' }] },
      ],
    },
  },
  {
    // main/core is what the shells are built on: it never reaches back into them, and never into
    // the simulator (the shells hand the demo fleet in through bootstrap; see main/demo/).
    // Paths are resolved, so any spelling of the import is caught. Tests may use the simulator
    // as a test bed (a real health API server), as they use testbed/.
    files: ['main/core/**/*.ts'],
    ignores: ['main/core/**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './main/core', from: './sim', message: 'main/core never imports sim/: the shells hand the demo fleet to bootstrap (main/demo/)' },
            {
              target: './main/core',
              from: ['./main/electron', './main/web', './main/demo', './main/index.ts'],
              message: 'main/core never imports the shells or the demo: they are built on it',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/core/**/*.ts', 'main/web/**/*.ts', 'main/demo/**/*.ts', 'sim/**/*.ts'],
    rules: restrict(
      [{ group: ['**/renderer/**', '**/main/electron/**'], message: 'core and web never reach into the renderer or the Electron shell' }],
      [{ name: 'electron', message: "only main/electron/ and main/index.ts import 'electron'" }],
    ),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: restrict(
      [{ group: ['**/main/**', '**/preload/**', '**/sim/**'], message: 'the renderer talks to main only through the OpsApi contract' }],
      [
        ...nodeBuiltins.map((name) => ({ name, message: 'the renderer runs in a sandboxed page: no node built-ins' })),
        { name: 'electron', message: 'the renderer never imports electron' },
        { name: 'ssh2', message: 'the renderer never touches SSH' },
      ],
    ),
  },
  {
    // Store policy (renderer/src/store/createStore.ts): components write stores only through
    // the actions their store's file exports.
    files: ['renderer/**/*.tsx'],
    rules: {
      'no-restricted-properties': ['error', { property: 'setState', message: "write a store through its file's actions, not setState from a component" }],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: restrict([{ group: ['**/main/**', '**/renderer/**'], message: 'the preload only maps the contract onto ipcRenderer' }]),
  },
);
