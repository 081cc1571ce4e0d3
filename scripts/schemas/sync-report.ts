import { compatibilityRule } from '../../src/lib/registry/compatibility';
import type { SubjectPlan, SyncResult, VersionCheck } from './schema-sync';
import { versionLabel } from './schema-sync';

/** The per-subject report of `npm run schemas:register`, then one summary line. Pure text. */
export function renderSyncReport(result: SyncResult, { dryRun = false }: { dryRun?: boolean } = {}): { lines: string[]; summary: string; ok: boolean } {
  const lines = result.subjects.flatMap(renderSubject);
  const checks = result.subjects.flatMap((plan) => plan.checks);
  const failed = checks.filter((check) => !check.compatible);
  const registered = checks.filter((check) => check.registered);
  if (result.refused) {
    const names = failed.map((check) => versionLabel(check.version)).join(', ');
    return { lines, ok: false, summary: `✗ refused: ${failed.length} schema version${plural(failed.length)} incompatible (${names}); nothing was registered.` };
  }
  if (result.registrationFailure) {
    const { subject, version, message } = result.registrationFailure;
    return { lines, ok: false, summary: `✗ the registry refused v${version} of ${subject} after the checks passed: ${message} (registered before it: ${registered.length})` };
  }
  if (checks.length === 0) return { lines, ok: true, summary: '✓ nothing to register: every schema version is already registered.' };
  if (dryRun) return { lines, ok: true, summary: `✓ ${checks.length} new schema version${plural(checks.length)} would be registered (dry run).` };
  return { lines, ok: true, summary: `✓ registered ${registered.length} new schema version${plural(registered.length)}.` };
}

function renderSubject(plan: SubjectPlan): string[] {
  const latest = plan.latest
    ? `version ${plan.latest.registryVersion}${plan.latest.localVersion ? ` (= v${plan.latest.localVersion}.avsc)` : ' (not one of the local files)'}`
    : 'none (new subject)';
  const lines = [`${plan.subject}  [${plan.mode}]`, `  latest registered: ${latest}`];
  if (plan.skipped.length > 0) lines.push(`  not registered, older than the registered versions (left alone): ${plan.skipped.map((v) => `v${v}.avsc`).join(', ')}`);
  if (plan.checks.length === 0) lines.push('  up to date');
  for (const check of plan.checks) lines.push(...renderCheck(check, plan));
  return lines;
}

function renderCheck(check: VersionCheck, plan: SubjectPlan): string[] {
  const file = `v${check.version.version}.avsc`;
  const how = {
    registry: `checked by the registry against version ${plan.latest?.registryVersion ?? '?'}`,
    local: `checked locally (avsc) against ${earlierVersions(plan, check)}, not in the registry yet`,
    'new-subject': 'first version of a new subject: nothing to check against',
  }[check.checkedBy];
  if (!check.compatible) return [`  ${file}  INCOMPATIBLE under ${plan.mode} (${how}):`, ...check.reasons.map((reason) => `      - ${reason}`)];
  const outcome = check.registered ? `  -> registered as version ${check.registered.registryVersion}, schema id ${check.registered.id}` : '';
  return [`  ${file}  compatible (${how})${outcome}`];
}

/** The earlier files a local check compared with: the previous one, or all for transitive modes. */
function earlierVersions(plan: SubjectPlan, check: VersionCheck): string {
  const previous = check.version.version - 1;
  return compatibilityRule(plan.mode).transitive && previous > 1 ? `v1..v${previous}` : `v${previous}`;
}

function plural(count: number): string {
  return count === 1 ? '' : 's';
}
