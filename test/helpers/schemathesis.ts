import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, REPO_ROOT } from '../../scripts/stack/paths';

/** The version the tests pin: a new release may add checks, which should be a deliberate upgrade. */
const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = join(CACHE_DIR, `schemathesis-${SCHEMATHESIS_VERSION}`);
/** The project's configuration: the few rules OpenAPI cannot state, with their reasons. */
export const SCHEMATHESIS_CONFIG = join(REPO_ROOT, 'schemathesis.toml');

function runOrThrow(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status ?? result.signal}): ${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-20).join('\n')}`);
}

/** The `st` command of a virtualenv in the stack's cache, created (from PyPI) on first use. */
export function ensureSchemathesis(): string {
  const st = join(VENV, 'bin', 'st');
  if (existsSync(st)) return st;
  runOrThrow('python3', ['-m', 'venv', VENV], 'creating the schemathesis virtualenv (python3 -m venv; Debian: apt-get install python3-venv)');
  runOrThrow(join(VENV, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`], `pip install schemathesis==${SCHEMATHESIS_VERSION}`);
  return st;
}

/**
 * Runs `st run` against an OpenAPI document URL; resolves with its exit status and output. Not
 * spawnSync: the service under test may run in this very process and must go on answering.
 */
export function runSchemathesis(st: string, openApiUrl: string, { maxExamples, seed }: { maxExamples: number; seed: number }): Promise<{ status: number; output: string }> {
  const args = ['--config-file', SCHEMATHESIS_CONFIG, 'run', openApiUrl, '--max-examples', String(maxExamples), '--seed', String(seed), '--no-color'];
  return new Promise((resolve) => {
    // From the stack's cache: schemathesis keeps its own cache (.schemathesis/) in the working directory.
    execFile(st, args, { cwd: CACHE_DIR, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ status, output: `${stdout}${stderr}` });
    });
  });
}
