import path from 'node:path';
import { localCompatibilityProblems, type CompatibilityMode } from '../../src/lib/registry/compatibility';
import { avroType } from '../../src/lib/registry/logical-types';
import type { RegistryClient } from '../../src/lib/registry/registry-client';
import { subjectFor } from '../../src/lib/registry/subject';
import type { RecordHistory, SchemaCatalog, SchemaVersion } from './catalog';

/*
 * What `npm run schemas:register` does, without the printing: set each subject's mode, find
 * which local versions the registry already holds, check every new one, and register the new
 * ones only when all checks pass. Schemas are self-contained (no references), so "references
 * first" reduces to registering each subject's versions oldest first.
 */

/** How a new version was checked and what came out. */
export interface VersionCheck {
  version: SchemaVersion;
  compatible: boolean;
  /** Who checked: the registry against its latest version, avsc against the earlier files, or nobody (first version of a new subject). */
  checkedBy: 'registry' | 'local' | 'new-subject';
  /** Why not, when not compatible. */
  reasons: string[];
  /** Set once registered. */
  registered?: { id: number; registryVersion: number };
}

export interface SubjectPlan {
  record: RecordHistory;
  subject: string;
  mode: CompatibilityMode;
  /** The registry's latest version number for the subject, and which local file it is (if any). */
  latest?: { registryVersion: number; localVersion?: number };
  /** Local versions older than the newest registered one that the registry does not hold; never registered. */
  skipped: number[];
  checks: VersionCheck[];
}

export interface SyncResult {
  subjects: SubjectPlan[];
  /** True when some check failed: nothing was registered. */
  refused: boolean;
  /** Set when the registry refused a registration after every check had passed. */
  registrationFailure?: { subject: string; version: number; message: string };
}

export interface SyncOptions {
  client: RegistryClient;
  /** The topic whose subjects hold a record: `<topic>-<record full name>`. */
  topicOf(record: RecordHistory): string;
  catalog: SchemaCatalog;
  /** Check and report only. */
  dryRun?: boolean;
}

/** Checks every subject, then registers the new versions unless a check failed (or dryRun). */
export async function syncSchemas({ client, topicOf, catalog, dryRun = false }: SyncOptions): Promise<SyncResult> {
  const subjects: SubjectPlan[] = [];
  for (const record of catalog.records) subjects.push(await planSubject(client, topicOf(record), record));
  const refused = subjects.some((plan) => plan.checks.some((check) => !check.compatible));
  if (refused || dryRun) return { subjects, refused };
  for (const plan of subjects) {
    for (const check of plan.checks) {
      try {
        const { id } = await client.register(plan.subject, schemaText(check.version));
        const found = await client.lookup(plan.subject, schemaText(check.version));
        check.registered = { id, registryVersion: found?.version ?? Number.NaN };
      } catch (error) {
        // Only a registry that disagrees with its own compatibility check (or a concurrent
        // registration) gets here; earlier subjects stay registered, and the report says so.
        return { subjects, refused: false, registrationFailure: { subject: plan.subject, version: check.version.version, message: (error as Error).message } };
      }
    }
  }
  return { subjects, refused: false };
}

/** The exact text sent to the registry for a version: one canonical JSON spelling everywhere. */
export function schemaText(version: SchemaVersion): string {
  return JSON.stringify(version.schema);
}

async function planSubject(client: RegistryClient, topic: string, record: RecordHistory): Promise<SubjectPlan> {
  const subject = subjectFor(topic, record.fullName);
  const mode = record.compatibility;
  // Before checking: the registry checks against the subject's mode, and Apicurio's global
  // default is NONE (Confluent's is BACKWARD), so an unset mode would pass anything.
  await client.setCompatibility(subject, mode);
  // Apicurio answers 404 for a subject without versions, Confluent may answer []; same meaning.
  const registryVersions = (await client.versions(subject)) ?? [];
  const plan: SubjectPlan = { record, subject, mode, skipped: [], checks: [] };

  const registeredAs = new Map<number, number>();
  if (registryVersions.length > 0) {
    for (const version of record.versions) {
      const found = await client.lookup(subject, schemaText(version));
      if (found) registeredAs.set(version.version, found.version);
    }
    const latestVersion = Math.max(...registryVersions);
    const localLatest = [...registeredAs].find(([, registryVersion]) => registryVersion === latestVersion)?.[0];
    plan.latest = { registryVersion: latestVersion, localVersion: localLatest };
  }

  const newestRegistered = Math.max(0, ...registeredAs.keys());
  plan.skipped = record.versions.filter((entry) => entry.version < newestRegistered && !registeredAs.has(entry.version)).map((entry) => entry.version);
  const pending = record.versions.filter((entry) => entry.version > newestRegistered);

  for (const [index, version] of pending.entries()) {
    if (index === 0 && registryVersions.length > 0) {
      plan.checks.push(await checkWithRegistry(client, subject, mode, version, plan.latest?.registryVersion ?? 0));
    } else if (index === 0) {
      plan.checks.push({ version, compatible: true, checkedBy: 'new-subject', reasons: [] });
    } else {
      // The registry can only check against what it holds; later new versions are checked
      // here, with avsc's schema resolution, against the files before them.
      const earlier = record.versions.filter((entry) => entry.version < version.version).map((entry) => ({ version: entry.version, type: entry.type }));
      const reasons = localCompatibilityProblems(mode, version.type, earlier);
      plan.checks.push({ version, compatible: reasons.length === 0, checkedBy: 'local', reasons });
    }
  }
  return plan;
}

async function checkWithRegistry(client: RegistryClient, subject: string, mode: CompatibilityMode, version: SchemaVersion, latestVersion: number): Promise<VersionCheck> {
  const verdict = await client.checkCompatibility(subject, schemaText(version));
  if (verdict.compatible) return { version, compatible: true, checkedBy: 'registry', reasons: [] };
  // Confluent explains with ?verbose=true; Apicurio's ccompat answers a bare
  // {"is_compatible": false}, so explain with avsc against the registry's latest schema.
  let reasons = verdict.messages;
  if (reasons.length === 0) {
    const latest = await client.version(subject, 'latest');
    reasons = latest ? localCompatibilityProblems(mode, version.type, [{ version: latestVersion, type: avroType(JSON.parse(latest.schema) as object) }]) : [];
    reasons = reasons.map((reason) => reason.replace(/\bv(\d+)\b/, 'registered version $1'));
  }
  if (reasons.length === 0) reasons = [`the registry says it breaks ${mode} against version ${latestVersion}`];
  return { version, compatible: false, checkedBy: 'registry', reasons };
}

/** `OrderCreated/v2.avsc` for messages. */
export function versionLabel(version: SchemaVersion): string {
  return `${path.basename(path.dirname(version.file))}/${path.basename(version.file)}`;
}
