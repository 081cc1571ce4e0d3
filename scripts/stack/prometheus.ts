import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComponentStatus, StackComponent } from './component';
import { aptInstall } from './apt';
import { DATA_DIR, LOG_DIR, REPO_ROOT, RUN_DIR } from './paths';
import { STACK_PORTS } from './ports';
import { assertPortFree, commandExists, pollUntil, readyTimeoutMs, runningPid, spawnDetached, StackError, stopProcessGroup } from './process';

const DATA = join(DATA_DIR, 'prometheus');
const CONFIG_FILE = join(DATA, 'prometheus.yml');
const PID_FILE = join(RUN_DIR, 'prometheus.pid');
const LOG_FILE = join(LOG_DIR, 'prometheus.log');
const READY_TIMEOUT_MS = 60_000;
const { prometheus: port } = STACK_PORTS;

/** Prometheus' HTTP API of the local stack. */
export const PROMETHEUS_URL = `http://127.0.0.1:${port}`;

/**
 * Scrape targets are files in this folder (file-based service discovery), so a test can
 * add the services it started on random ports without restarting Prometheus.
 */
export const PROMETHEUS_TARGETS_DIR = join(DATA, 'targets');

/** The local services on their default ports, as `npm start` runs them. */
const DEFAULT_TARGETS = [
  { targets: ['127.0.0.1:8000'], labels: { job: 'cart-service' } },
  { targets: ['127.0.0.1:8001'], labels: { job: 'order-service' } },
  { targets: ['127.0.0.1:8002'], labels: { job: 'inventory-service' } },
  { targets: ['127.0.0.1:8003'], labels: { job: 'notification-service' } },
];

/** The ports Prometheus always scrapes; a service on any other port needs a targets file of its own. */
export const SCRAPED_BY_DEFAULT = new Set(DEFAULT_TARGETS.flatMap(({ targets }) => targets.map((target) => Number(target.split(':')[1]))));

function configYaml(): string {
  // JSON is valid YAML, so the config needs no YAML writer.
  return JSON.stringify(
    {
      global: { scrape_interval: '2s', evaluation_interval: '2s' },
      rule_files: [join(REPO_ROOT, 'prometheus', 'alert-rules.yml')],
      scrape_configs: [{ job_name: 'orderflow', file_sd_configs: [{ files: [join(PROMETHEUS_TARGETS_DIR, '*.json')], refresh_interval: '5s' }] }],
    },
    null,
    2,
  );
}

async function isReady(): Promise<boolean> {
  const response = await fetch(`${PROMETHEUS_URL}/-/ready`, { signal: AbortSignal.timeout(2_000) });
  return response.ok;
}

export const prometheus: StackComponent = {
  name: 'prometheus',
  logFile: LOG_FILE,

  async install() {
    if (!commandExists('prometheus') || !commandExists('promtool')) aptInstall(['prometheus'], 'prometheus');
  },

  async start() {
    const timeoutMs = readyTimeoutMs(READY_TIMEOUT_MS);
    const runningAlready = runningPid(PID_FILE);
    const startedHere = runningAlready === undefined;
    if (startedHere) await assertPortFree(port, 'prometheus');
    // Written at every start, so a stack started by an older version learns of services added since.
    mkdirSync(PROMETHEUS_TARGETS_DIR, { recursive: true });
    writeFileSync(CONFIG_FILE, configYaml());
    writeFileSync(join(PROMETHEUS_TARGETS_DIR, 'local-services.json'), JSON.stringify(DEFAULT_TARGETS, null, 2));
    // Already running: it rereads its configuration and alert rules on SIGHUP, so edited rules apply without a restart.
    if (runningAlready !== undefined) process.kill(runningAlready, 'SIGHUP');
    if (startedHere) {
      spawnDetached({
        command: 'prometheus',
        args: [
          `--config.file=${CONFIG_FILE}`,
          `--storage.tsdb.path=${join(DATA, 'tsdb')}`,
          '--storage.tsdb.retention.time=2d',
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        logFile: LOG_FILE,
        pidFile: PID_FILE,
      });
    }
    const ready = await pollUntil(async () => {
      if (runningPid(PID_FILE) === undefined) throw new StackError('prometheus: exited during start-up', LOG_FILE);
      return isReady();
    }, timeoutMs);
    if (!ready) {
      if (startedHere) await stopProcessGroup(PID_FILE);
      throw new StackError(`prometheus: not ready within ${timeoutMs / 1000} s${startedHere ? ', so it was stopped' : ''}`, LOG_FILE);
    }
  },

  async stop() {
    await stopProcessGroup(PID_FILE);
  },

  async status(): Promise<ComponentStatus> {
    const pid = runningPid(PID_FILE);
    const ready = pid !== undefined && (await isReady().catch(() => false));
    return { running: pid !== undefined, ready, pid, detail: PROMETHEUS_URL };
  },
};
