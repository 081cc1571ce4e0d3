import { join } from 'node:path';
import { CACHE_DIR } from './paths';
import { commandExists, runOrFail, StackError } from './process';

/** Maven's local repository for the stack, kept in the cache so a second start downloads nothing. */
export const MAVEN_REPO = join(CACHE_DIR, 'm2');

export function assertJavaTools(component: string, tools: string[] = ['java', 'mvn']): void {
  for (const tool of tools) {
    if (!commandExists(tool)) {
      throw new StackError(
        `${component}: '${tool}' was not found on PATH. The local stack needs Java 17+ and Maven ` +
          `(Debian: apt-get install openjdk-17-jre-headless maven).`,
      );
    }
  }
}

/** Runs Maven in batch mode against the stack's own local repository. */
export function runMaven(pom: string, goals: string[], what: string): void {
  runOrFail('mvn', ['-q', '-B', `-Dmaven.repo.local=${MAVEN_REPO}`, '-f', pom, ...goals], what);
}
