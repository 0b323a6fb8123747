// End-to-end suites: bring up real labs (Docker runtime, Vagrant docker provider). Run by .ci/run
// as root after dockerd is started; `npm run test:e2e`.
export default {
  files: ['test/e2e/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx', '--enable-source-maps'],
  timeout: '10m',
  concurrency: 1,
  workerThreads: false,
};
