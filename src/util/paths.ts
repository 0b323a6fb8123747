/** Where the lab's own files are: the repository root and the tsx loader the daemons run under. */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const tsxLoader = pathToFileURL(join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/** argv that runs a TypeScript entry point of this repository with the current Node.js. */
export function nodeArgv(script: string, args: string[] = []): string[] {
  return [process.execPath, '--enable-source-maps', '--import', tsxLoader, join(repoRoot, script), ...args];
}
