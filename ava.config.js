// Unit and integration tests: what `npm test` runs. End-to-end suites (Docker, Vagrant) live in
// ava.e2e.config.js and run from .ci/run after the daemons they need are up.
export default {
  files: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx', '--enable-source-maps'],
  timeout: '3m',
  workerThreads: false,
};
