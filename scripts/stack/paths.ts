import { join, resolve } from 'node:path';

/** Repository root, whatever the current directory is. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Everything the local stack downloads or writes lives under `.stack/` (git-ignored):
 * `cache/` survives `stack:down` so the next start is fast; `data/`, `logs/` and `run/`
 * hold the state of the running services.
 */
export const STACK_HOME = process.env.ORDERFLOW_STACK_HOME ?? join(REPO_ROOT, '.stack');
export const CACHE_DIR = join(STACK_HOME, 'cache');
export const DATA_DIR = join(STACK_HOME, 'data');
export const LOG_DIR = join(STACK_HOME, 'logs');
export const RUN_DIR = join(STACK_HOME, 'run');
