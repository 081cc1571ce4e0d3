/**
 * `npm run schemas:generate`: writes TypeScript types and the current writer schemas from
 * schemas/ into src/generated/ (and removes files that no longer belong there).
 * A unit test renders the same files in memory and fails when the written ones are stale.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSchemaCatalog, SchemaCatalogError } from './catalog';
import { renderGeneratedFiles } from './generate-types';

/** Where the generated files live. */
export const GENERATED_DIR = path.resolve(__dirname, '../../src/generated');

function main(): void {
  const files = renderGeneratedFiles(loadSchemaCatalog());
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const stale of readdirSync(GENERATED_DIR)) {
    if (!(stale in files)) rmSync(path.join(GENERATED_DIR, stale));
  }
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(GENERATED_DIR, name);
    const changed = !existsSync(file) || readFileSync(file, 'utf8') !== content;
    if (changed) writeFileSync(file, content);
    console.log(`  ${changed ? 'wrote    ' : 'unchanged'} ${path.relative(process.cwd(), file)}`);
  }
}

try {
  main();
} catch (error) {
  // A schema mistake is the user's to fix: say which file and what, without a stack trace.
  console.error(`✗ schemas:generate: ${error instanceof SchemaCatalogError ? error.message : String(error)}`);
  process.exit(1);
}
