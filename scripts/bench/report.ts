import type { CpuSplit } from './cpu-usage';
import { POLL_INTERVAL_MS, VISIBILITY_TIMEOUT_MS, type EndToEndResult } from './end-to-end-latency';
import type { ThroughputResult } from './throughput-run';

/**
 * The results on stdout: the modes side by side, where the CPU went, the ratios against the
 * SPEC's targets ("Performance and reliability"), and the end-to-end latency.
 */

export type ModeName = 'ceiling' | 'seeds' | 'cart';

export interface ModeOutcome {
  mode: ModeName;
  label: string;
  throughput: ThroughputResult;
  cpu: CpuSplit | undefined;
}

export interface EndToEndOutcome {
  result: EndToEndResult;
  /** The cart's measured 2xx/s, of which the offered load is half. */
  peakPerSecond: number;
  seconds: number;
  cpu: CpuSplit | undefined;
}

export interface ReportSettings {
  concurrency: number;
  durationSeconds: number;
  warmupSeconds: number;
  body: string;
}

/**
 * Cores of `other` CPU above which the figures are called disturbed: the kernel's loopback work
 * alone takes about 0.1 under the ceiling's load, a test run beside the bench takes far more.
 */
const DISTURBED_ABOVE_CORES = 0.25;

/** The concurrency at which the SPEC sets its producer targets. */
const SPEC_CONCURRENCY = 64;

/** The SPEC's targets, as data: one row per promise the benchmark checks. */
const TARGETS = {
  cartOverSeeds: { target: "target >= 2x the seeds' way", met: (ratio: number) => ratio >= 2 },
  cartOverCeiling: { target: 'target >= 60% of the ceiling', met: (ratio: number) => ratio >= 0.6 },
  cartP99: { target: 'target p99 < 50 ms', met: (ms: number) => ms < 50 },
  endToEndP99: { target: 'target p99 < 100 ms at half of peak', met: (ms: number) => ms < 100 },
} as const;

interface Check {
  measure: string;
  value: string;
  target: string;
  verdict: string;
}

export function printReport(settings: ReportSettings, modes: ModeOutcome[], endToEnd: EndToEndOutcome | undefined): void {
  if (modes.length > 0) {
    printThroughput(settings, modes);
    printCpu('CPU during each measured run, in cores', Object.fromEntries(modes.map(({ label, cpu }) => [label, cpu])));
    printChecks(settings.concurrency, modes, endToEnd);
  }
  if (endToEnd) printEndToEnd(endToEnd);
}

function printThroughput(settings: ReportSettings, modes: ModeOutcome[]): void {
  console.log(
    `\nCreate-order throughput: ${settings.concurrency} connections, ${settings.durationSeconds} s per mode after a ${settings.warmupSeconds} s warm-up,` +
      ` body ${settings.body}; load from autocannon in the bench process, each server in its own process, one at a time`,
  );
  console.table(
    Object.fromEntries(
      modes.map(({ label, throughput: run }) => [
        label,
        {
          'requests/s (2xx)': Math.round(run.successesPerSecond),
          'p50 ms': roundTo(run.p50Ms, 1),
          'p99 ms': roundTo(run.p99Ms, 1),
          '2xx': run.successes,
          'of which 202': run.accepted,
          'non-2xx': run.non2xx,
          errors: run.errors,
          'of which timeouts': run.timeouts,
        },
      ]),
    ),
  );
}

/** One row per split; `eachServer` gives every server under test its own column instead of their sum. */
function printCpu(title: string, splits: Record<string, CpuSplit | undefined>, { eachServer = false } = {}): void {
  const measured = Object.entries(splits).filter((entry): entry is [string, CpuSplit] => entry[1] !== undefined);
  const [first] = measured;
  if (!first) return;
  console.log(`\n${title} (this machine has ${first[1].cores}; other = the kernel's interrupt work and every process not listed)`);
  console.table(
    Object.fromEntries(
      measured.map(([label, cpu]) => [
        label,
        {
          'load generator (bench)': roundTo(cpu.loadGenerator, 2),
          ...(eachServer
            ? Object.fromEntries(Object.entries(cpu.byServer).map(([server, used]) => [server, roundTo(used, 2)]))
            : { 'server(s) under test': roundTo(cpu.servers, 2) }),
          Kafka: roundTo(cpu.stack.Kafka, 2),
          PostgreSQL: roundTo(cpu.stack.PostgreSQL, 2),
          registry: roundTo(cpu.stack.registry, 2),
          other: roundTo(cpu.other, 2),
        },
      ]),
    ),
  );
  const disturbed = measured.filter(([, cpu]) => cpu.other > DISTURBED_ABOVE_CORES).map(([label]) => label);
  if (disturbed.length > 0) {
    console.log(`  ! "other" took more than ${DISTURBED_ABOVE_CORES} cores during: ${disturbed.join(', ')}; something else ran beside the bench, so those figures are disturbed: run again on a quiet machine`);
  }
}

function printChecks(concurrency: number, modes: ModeOutcome[], endToEnd: EndToEndOutcome | undefined): void {
  const rate = (mode: ModeName) => modes.find((outcome) => outcome.mode === mode)?.throughput;
  const cart = rate('cart');
  const seeds = rate('seeds');
  const ceiling = rate('ceiling');
  const checks: Check[] = [
    ratioCheck("cart / seeds' way", cart, seeds, TARGETS.cartOverSeeds, (ratio) => `${ratio.toFixed(2)}x`),
    ratioCheck('cart / ceiling', cart, ceiling, TARGETS.cartOverCeiling, formatPercent),
    ratioCheck("seeds' way / ceiling", seeds, ceiling, undefined, formatPercent),
    msCheck('cart p99', cart?.p99Ms, TARGETS.cartP99),
    msCheck('end-to-end p99', endToEnd?.result.visibleMs.p99, TARGETS.endToEndP99),
  ];
  console.log('\nRatios of requests/s (2xx), and the targets of SPEC.md ("Performance and reliability")');
  if (concurrency !== SPEC_CONCURRENCY) console.log(`  (the SPEC sets them at concurrency ${SPEC_CONCURRENCY}; this run used ${concurrency})`);
  const width = (column: (check: Check) => string) => Math.max(...checks.map((check) => column(check).length));
  const widths = { measure: width((check) => check.measure), value: width((check) => check.value), target: width((check) => check.target) };
  for (const { measure, value, target, verdict } of checks) {
    console.log(`  ${measure.padEnd(widths.measure)}  ${value.padEnd(widths.value)}  ${target.padEnd(widths.target)}  ${verdict}`.trimEnd());
  }
}

function ratioCheck(
  measure: string,
  numerator: ThroughputResult | undefined,
  denominator: ThroughputResult | undefined,
  target: { target: string; met(ratio: number): boolean } | undefined,
  format: (ratio: number) => string,
): Check {
  if (!numerator || !denominator || denominator.successesPerSecond === 0) {
    return { measure, value: 'n/a (mode not run or no 2xx)', target: target?.target ?? '', verdict: target ? 'n/a' : '' };
  }
  const ratio = numerator.successesPerSecond / denominator.successesPerSecond;
  return { measure, value: format(ratio), target: target?.target ?? '', verdict: verdictOf(target?.met(ratio)) };
}

function msCheck(measure: string, ms: number | undefined, target: { target: string; met(ms: number): boolean }): Check {
  if (ms === undefined) return { measure, value: 'n/a (not measured)', target: target.target, verdict: 'n/a' };
  return { measure, value: `${formatMs(ms)} ms`, target: target.target, verdict: verdictOf(target.met(ms)) };
}

function verdictOf(met: boolean | undefined): string {
  if (met === undefined) return '';
  return met ? 'met' : 'NOT MET';
}

function printEndToEnd({ result, peakPerSecond, seconds, cpu }: EndToEndOutcome): void {
  console.log('\nEnd to end: POST /api/create-order sent -> first 200 of GET /api/order-details on the order service (cart and order service each in its own process)');
  console.log(
    `  load:    ${Math.round(result.offeredPerSecond)} orders/s offered, half the cart's measured ${Math.round(peakPerSecond)}/s, for ${seconds} s,` +
      ` sent at a steady pace (open loop); ${result.sent} sent, ${result.successes} 2xx (${result.accepted} of them 202), ${result.non2xx} non-2xx, ${result.errors} errors`,
  );
  console.log(`  cart:    answered p50 ${formatPercentile(result.postMs.p50)}, p99 ${formatPercentile(result.postMs.p99)} at this rate`);
  console.log(
    `  sampled: 1 order in ${result.sampleEvery}, ${result.sampled} accepted by the cart: visible after p50 ${formatPercentile(result.visibleMs.p50)},` +
      ` p95 ${formatPercentile(result.visibleMs.p95)}, p99 ${formatPercentile(result.visibleMs.p99)}, max ${formatPercentile(result.visibleMs.max)};` +
      ` ${result.notVisible} not visible within ${VISIBILITY_TIMEOUT_MS / 1000} s`,
  );
  console.log(
    `  target:  p99 < 100 ms -> ${result.visibleMs.p99 === undefined ? 'n/a' : verdictOf(TARGETS.endToEndP99.met(result.visibleMs.p99))}`,
  );
  console.log(
    `  resolution: each sampled order is polled one GET at a time with ${POLL_INTERVAL_MS} ms pauses (${result.polls} GETs in all), so a figure can be` +
      ` late by one pause (${POLL_INTERVAL_MS} ms, a little more with timer granularity) plus one GET round trip`,
  );
  if (cpu) printCpu('CPU during the end-to-end window, in cores', { 'cart + order service': cpu }, { eachServer: true });
}

/** A number for console.table, which prints numbers unquoted. */
function roundTo(value: number, decimals: number): number {
  return Number(value.toFixed(decimals));
}

function formatMs(ms: number): string {
  return ms.toFixed(1);
}

function formatPercentile(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${formatMs(ms)} ms`;
}

function formatPercent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
