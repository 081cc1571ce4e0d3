import type { Type } from 'avsc';

/** The compatibility modes of the Confluent Schema Registry API (Apicurio's ccompat accepts the same). */
export const COMPATIBILITY_MODES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityMode = (typeof COMPATIBILITY_MODES)[number];

/** The mode a subject gets when schemas/compatibility.json does not name it. */
export const DEFAULT_COMPATIBILITY: CompatibilityMode = 'BACKWARD';

/** True when `value` is one of COMPATIBILITY_MODES (spelled as the registry API spells it). */
export function isCompatibilityMode(value: unknown): value is CompatibilityMode {
  return typeof value === 'string' && (COMPATIBILITY_MODES as readonly string[]).includes(value);
}

/** What a mode demands of a new version: which earlier versions, read in which directions. */
export interface CompatibilityRule {
  /** New readers must read data written with the earlier versions. */
  backward: boolean;
  /** Earlier readers must read data written with the new version. */
  forward: boolean;
  /** Against every earlier version, not only the latest. */
  transitive: boolean;
}

const RULES: Readonly<Record<CompatibilityMode, CompatibilityRule>> = {
  NONE: { backward: false, forward: false, transitive: false },
  BACKWARD: { backward: true, forward: false, transitive: false },
  BACKWARD_TRANSITIVE: { backward: true, forward: false, transitive: true },
  FORWARD: { backward: false, forward: true, transitive: false },
  FORWARD_TRANSITIVE: { backward: false, forward: true, transitive: true },
  FULL: { backward: true, forward: true, transitive: false },
  FULL_TRANSITIVE: { backward: true, forward: true, transitive: true },
};

/** What `mode` demands of a new version. */
export function compatibilityRule(mode: CompatibilityMode): CompatibilityRule {
  return RULES[mode];
}

/** One promise of a mode: data written with `writer` is readable with schema `reader`. */
export interface ReadPair {
  writer: number;
  reader: number;
}

/**
 * Every (writer version, reader version) pair that `mode` promises to be readable for a
 * history of versions 1..`count`, including each version reading itself. The contract tests
 * decode along exactly these pairs.
 */
export function promisedReadPairs(mode: CompatibilityMode, count: number): ReadPair[] {
  const { backward, forward, transitive } = RULES[mode];
  const pairs: ReadPair[] = [];
  for (let version = 1; version <= count; version += 1) {
    pairs.push({ writer: version, reader: version });
    const earliest = transitive ? 1 : version - 1;
    for (let earlier = Math.max(1, earliest); earlier < version; earlier += 1) {
      if (backward) pairs.push({ writer: earlier, reader: version });
      if (forward) pairs.push({ writer: version, reader: earlier });
    }
  }
  return pairs;
}

/**
 * Why data written with `writer` cannot be read with `reader`, per Avro schema resolution as
 * avsc implements it, or undefined when it can. Used where the registry cannot check (versions
 * not registered yet) and to explain a refusal the registry gives without reasons.
 */
export function explainUnreadable(reader: Type, writer: Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Why `candidate` breaks `mode` against the earlier versions (oldest first), or an empty list.
 * Each problem names the earlier version and the direction that fails.
 */
export function localCompatibilityProblems(mode: CompatibilityMode, candidate: Type, earlier: ReadonlyArray<{ version: number; type: Type }>): string[] {
  const { backward, forward, transitive } = RULES[mode];
  const against = transitive ? earlier : earlier.slice(-1);
  const problems: string[] = [];
  for (const previous of against) {
    const newReadsOld = backward ? explainUnreadable(candidate, previous.type) : undefined;
    if (newReadsOld) problems.push(`it cannot read data written with v${previous.version}: ${newReadsOld}`);
    const oldReadsNew = forward ? explainUnreadable(previous.type, candidate) : undefined;
    if (oldReadsNew) problems.push(`readers of v${previous.version} cannot read its data: ${oldReadsNew}`);
  }
  return problems;
}
