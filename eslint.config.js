// The purity rule of DESIGN.md: raft/, protocol/ and engine/ never do I/O, never read a clock
// and never draw randomness, so the simulator can run them deterministically from a seed.
import tseslint from 'typescript-eslint';

const impureModules = ['node:fs', 'node:fs/promises', 'node:net', 'node:tls', 'node:http', 'node:https',
  'node:dgram', 'node:child_process', 'node:worker_threads', 'node:timers', 'node:timers/promises',
  'node:os', 'node:crypto', 'node:cluster', 'node:dns', 'node:process',
  'fs', 'fs/promises', 'net', 'tls', 'http', 'https', 'dgram', 'child_process', 'worker_threads',
  'timers', 'os', 'crypto', 'dns', 'process'];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/raft/**/*.ts', 'src/protocol/**/*.ts', 'src/engine/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: impureModules.map((name) => ({ name, message: 'pure core: no I/O, clocks or randomness' })) }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'pure core: time comes from the host' },
        { name: 'setInterval', message: 'pure core: time comes from the host' },
        { name: 'setImmediate', message: 'pure core: time comes from the host' },
        { name: 'process', message: 'pure core: no process access' },
        { name: 'performance', message: 'pure core: time comes from the host' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'pure core: time comes from the log entry stamp' },
        { object: 'Math', property: 'random', message: 'pure core: randomness comes from a seeded source' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure core: no wall clock' }],
    },
  },
  {
    files: ['src/raft/**/*.ts', 'src/protocol/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: impureModules.map((name) => ({ name, message: 'pure core: no I/O, clocks or randomness' })),
        patterns: [{ group: ['../*'], message: 'raft/ and protocol/ depend on nothing else in src/' }],
      }],
    },
  },
);
