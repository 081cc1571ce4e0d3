import { readFileSync } from 'node:fs';
import { z } from 'zod';

const SECONDS_PER_UNIT: Partial<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** A duration in seconds, written as seconds or with a unit: 90s, 30m, 24h, 7d. */
const durationInSeconds = z
  .string()
  .regex(/^\d+(s|m|h|d)?$/, 'expected a duration such as 24h')
  .transform((value) => Number(value.replace(/\D$/, '')) * (SECONDS_PER_UNIT[value.slice(-1)] ?? 1))
  .pipe(z.number().int().min(1));

/** An unquoted PostgreSQL identifier that names a schema of the services' own. */
const postgresSchemaName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lowercase PostgreSQL identifier')
  .refine((name) => !name.startsWith('pg_') && name !== 'public' && name !== 'information_schema', 'expected a schema of its own, not public or a system schema');

/**
 * A PEM file of CA certificates to trust. It is read here, at start-up, so that a wrong path
 * or an unreadable file is a configuration error naming the setting, instead of a failed TLS
 * handshake (or a stack trace) once the first connection is tried.
 */
const caCertificateFile = z.string().superRefine((path, context) => {
  const problem = pemCertificateProblem(path);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

function pemCertificateProblem(path: string): string | undefined {
  const read = readPem(path);
  return typeof read === 'string' ? undefined : read.problem;
}

function readPem(path: string): string | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return { problem: `cannot be read (${code ?? message}); expected the path of a PEM file holding the CA certificate` };
  }
  return text.includes('-----BEGIN CERTIFICATE-----') ? text : { problem: 'holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)' };
}

/**
 * The PEM text of the CA file a setting names. loadConfig checked it already; read again when a
 * client is built, a file gone since is still a ConfigError naming the setting, not a raw ENOENT.
 */
export function readCaCertificate(key: 'KAFKA_SSL_CA_FILE' | 'DATABASE_SSL_CA_FILE', path: string): string {
  const read = readPem(path);
  if (typeof read !== 'string') throw new ConfigError([`${key}='${path}': ${read.problem}`]);
  return read;
}

/** A setting that may be left empty (its default): empty reads as undefined, anything else must pass `schema`. */
const optional = <Output>(schema: z.ZodType<Output, string>) => z.union([z.literal('').transform(() => undefined), schema]);

/**
 * Every setting of the services, read from the environment once, validated, and frozen.
 * Each entry carries the doc string the README's configuration table mirrors.
 */
const SETTINGS = {
  KAFKA_BROKERS: {
    doc: 'Comma-separated Kafka bootstrap servers. Set it (with the two below) to use an external stack instead of the local one.',
    schema: z.string().regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'expected host:port[,host:port...]'),
    default: '127.0.0.1:19092',
  },
  SCHEMA_REGISTRY_URL: {
    doc: 'Base URL of the Confluent-compatible Schema Registry API.',
    schema: z.url({ protocol: /^https?$/ }),
    default: 'http://127.0.0.1:18081/apis/ccompat/v7',
  },
  DATABASE_URL: {
    doc: 'PostgreSQL connection URL.',
    schema: z.url({ protocol: /^postgres(ql)?$/ }),
    default: 'postgres://orderflow:orderflow@127.0.0.1:15432/orderflow',
  },
  KAFKA_SECURITY_PROTOCOL: {
    doc: 'How the services reach Kafka: plaintext; ssl (TLS); or sasl_ssl (TLS, signing in with SASL/SCRAM as KAFKA_SASL_USERNAME). Every service, consumer, producer and tool uses it.',
    schema: z.enum(['plaintext', 'ssl', 'sasl_ssl']),
    default: 'plaintext',
  },
  KAFKA_SASL_MECHANISM: {
    doc: 'SCRAM mechanism of sasl_ssl: scram-sha-256 or scram-sha-512 (the broker must hold a credential of that mechanism for the user).',
    schema: z.enum(['scram-sha-256', 'scram-sha-512']),
    default: 'scram-sha-512',
  },
  KAFKA_SASL_USERNAME: {
    doc: 'SCRAM user the services sign in to Kafka as; required with sasl_ssl, refused without it.',
    schema: optional(z.string()),
    default: '',
  },
  KAFKA_SASL_PASSWORD: {
    doc: "That user's SCRAM password; required with sasl_ssl, refused without it. Never logged.",
    schema: optional(z.string()),
    default: '',
    secret: true,
  },
  KAFKA_SSL_CA_FILE: {
    doc: "PEM file of the CA that signed the brokers' certificates (ssl and sasl_ssl); empty trusts Node.js's default CAs. A file that cannot be read stops the start.",
    schema: optional(caCertificateFile),
    default: '',
  },
  DATABASE_SSL: {
    doc: "TLS to PostgreSQL: disable (as DATABASE_URL says, plain by default); require (encrypted, the server's certificate not checked); verify-full (encrypted, the certificate checked against DATABASE_SSL_CA_FILE or Node.js's default CAs, and the host name against it).",
    schema: z.enum(['disable', 'require', 'verify-full']),
    default: 'disable',
  },
  DATABASE_SSL_CA_FILE: {
    doc: "PEM file of the CA that signed PostgreSQL's certificate, for verify-full; empty trusts Node.js's default CAs. A file that cannot be read stops the start.",
    schema: optional(caCertificateFile),
    default: '',
  },
  CART_DB_SCHEMA: {
    doc: "PostgreSQL schema the cart service owns in DATABASE_URL's database (created if missing); no other service reads it.",
    schema: postgresSchemaName,
    default: 'cart_service',
  },
  ORDER_DB_SCHEMA: {
    doc: "PostgreSQL schema the order service owns in DATABASE_URL's database (created if missing); no other service reads it.",
    schema: postgresSchemaName,
    default: 'order_service',
  },
  INVENTORY_DB_SCHEMA: {
    doc: "PostgreSQL schema the inventory service owns in DATABASE_URL's database (created if missing); no other service reads it.",
    schema: postgresSchemaName,
    default: 'inventory_service',
  },
  ACCESS_DB_SCHEMA: {
    doc: "PostgreSQL schema, in DATABASE_URL's database, of the API keys every service reads (created if missing, migrated by each service at start and by the apikey:* scripts); distinct from the services' own.",
    schema: postgresSchemaName,
    default: 'orderflow_access',
  },
  ACCESS_KEYS_REFRESH_MS: {
    doc: 'How often each service rereads the API keys: a key created turns authentication on, and a key revoked stops working, within this time.',
    schema: z.coerce.number().int().min(100).max(300_000),
    default: '5000',
  },
  API_RATE_LIMIT_PER_SECOND: {
    doc: 'Requests per second each API key may send to one service instance (counted in its memory, so each instance allows as many); more answer 429 with Retry-After. 0 turns the limit off.',
    schema: z.coerce.number().int().min(0).max(1_000_000),
    default: '100',
  },
  API_RATE_LIMIT_BURST: {
    doc: 'Requests an API key may send beyond API_RATE_LIMIT_PER_SECOND in any 10 seconds, to absorb short peaks.',
    schema: z.coerce.number().int().min(0).max(10_000_000),
    default: '200',
  },
  API_REFUSED_KEYS_PER_MINUTE: {
    doc: "Refused API keys (unknown, revoked, mistyped) one client address may present to an instance in a minute; past it, 429 with Retry-After before the key is even checked, since each check costs a deliberately slow hash. 0 turns the limit off.",
    schema: z.coerce.number().int().min(0).max(10_000_000),
    default: '30',
  },
  ORDER_EVENTS_TOPIC: {
    doc: 'Topic that carries every order event, keyed by order id.',
    schema: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a valid Kafka topic name'),
    default: 'order-events',
  },
  INVENTORY_EVENTS_TOPIC: {
    doc: 'Topic that carries the inventory service\'s events (reservations and their outcomes), keyed by order id.',
    schema: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a valid Kafka topic name'),
    default: 'inventory-events',
  },
  DEAD_LETTER_TOPIC: {
    doc: 'Topic that receives events the order service cannot decode or apply.',
    schema: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a valid Kafka topic name'),
    default: 'order-events.dlq',
  },
  CART_SERVICE_PORT: {
    doc: 'HTTP port of the cart service (producer API).',
    schema: z.coerce.number().int().min(1).max(65535),
    default: '8000',
  },
  ORDER_SERVICE_PORT: {
    doc: 'HTTP port of the order service (consumer and query API).',
    schema: z.coerce.number().int().min(1).max(65535),
    default: '8001',
  },
  INVENTORY_SERVICE_PORT: {
    doc: 'HTTP port of the inventory service (stock API).',
    schema: z.coerce.number().int().min(1).max(65535),
    default: '8002',
  },
  INVENTORY_DEAD_LETTER_TOPIC: {
    doc: 'Topic that receives the order events the inventory service cannot decode or apply.',
    schema: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a valid Kafka topic name'),
    default: 'order-events.inventory.dlq',
  },
  INVENTORY_CONSUMER_GROUP_ID: {
    doc: 'Kafka consumer group of the inventory service (on the order events topic).',
    schema: z.string().min(1),
    default: 'orderflow-inventory-service',
  },
  NOTIFICATION_SERVICE_PORT: {
    doc: 'HTTP port of the notification service (notifications API).',
    schema: z.coerce.number().int().min(1).max(65535),
    default: '8003',
  },
  NOTIFICATION_DB_SCHEMA: {
    doc: "PostgreSQL schema the notification service owns in DATABASE_URL's database (created if missing); no other service reads it.",
    schema: postgresSchemaName,
    default: 'notification_service',
  },
  NOTIFICATION_CONSUMER_GROUP_ID: {
    doc: "Prefix of the notification service's two Kafka consumer groups: the prefix plus .order-events (on the order events topic) and plus .inventory-events (on the inventory events topic).",
    schema: z.string().min(1),
    default: 'orderflow-notification-service',
  },
  NOTIFICATION_DEAD_LETTER_TOPIC: {
    doc: 'Topic that receives the order and inventory events the notification service cannot decode or store.',
    schema: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a valid Kafka topic name'),
    default: 'notification-service.dlq',
  },
  WEBHOOK_URL: {
    doc: 'http(s) URL the notification service POSTs each new notification to, signed with WEBHOOK_SECRET and retried with backoff; empty turns webhooks off (notifications stored meanwhile are never sent).',
    schema: optional(z.url({ protocol: /^https?$/, error: 'expected an http or https URL, or nothing to turn webhooks off' })),
    default: '',
  },
  WEBHOOK_SECRET: {
    doc: 'Key of the HMAC-SHA256 signature (X-Orderflow-Signature) of every webhook; required when WEBHOOK_URL is set, at least 16 characters. Never logged.',
    schema: optional(z.string().min(16, 'must be at least 16 characters')),
    default: '',
    secret: true,
  },
  WEBHOOK_TIMEOUT_MS: {
    doc: 'How long one webhook POST may take before it counts as failed and is retried.',
    schema: z.coerce.number().int().min(100).max(60_000),
    default: '5000',
  },
  DEDUP_WINDOW: {
    doc: "How long the order service remembers a refused event's id, and keeps a status update waiting for its order (seconds, or with a unit: 90s, 30m, 24h, 7d; at least 1d). Longer than any redelivery and any time a partition may lag; past it refused events are deleted and waiting updates refused.",
    // Shorter would refuse ordinary out-of-order updates, and forget refusals a redelivery may still bring back.
    schema: durationInSeconds.pipe(z.number().min(86_400, 'must be at least 1d')),
    default: '7d',
  },
  DEAD_LETTER_RETENTION: {
    doc: "How long the order service keeps a dead letter in its index (GET /api/dlq, replay, the order's timeline) after it was dead-lettered (seconds, or with a unit: 90s, 30m, 24h, 30d; at least 1d). The dead-letter topic keeps the record itself for its own retention.ms.",
    schema: durationInSeconds.pipe(z.number().min(86_400, 'must be at least 1d')),
    default: '30d',
  },
  CONSUMER_FETCH_MAX_WAIT_MS: {
    doc: "Longest a consumer's fetch waits for 16 KiB of events before taking what there is: the most it adds to an event's latency under light traffic, and how often an idle consumer asks Kafka, each fetch costing CPU even when empty. Gathering a trickle of events into fewer transactions saves CPU under load; raise it where idle cost matters more than latency.",
    schema: z.coerce.number().int().min(1).max(5_000),
    default: '20',
  },
  CONSUMER_GROUP_ID: {
    doc: 'Kafka consumer group of the order service.',
    schema: z.string().min(1),
    default: 'orderflow-order-service',
  },
  GROUP_COMMIT: {
    doc: 'on: creates and updates that arrive while a cart transaction is in flight share the next one (group commit); off: each request gets its own transaction.',
    schema: z.enum(['on', 'off']).transform((value) => value === 'on'),
    default: 'on',
  },
  PUBLISH_TIMEOUT_MS: {
    doc: "How long a create or update waits for Kafka's acknowledgement of its event; past it the answer is 202 (stored, published later by the outbox relay).",
    schema: z.coerce.number().int().min(0).max(600_000),
    default: '5000',
  },
  IDEMPOTENCY_TTL: {
    doc: 'How long an Idempotency-Key and its answer are kept (seconds, or with a unit: 90s, 30m, 24h, 7d).',
    schema: durationInSeconds,
    default: '24h',
  },
  OUTBOX_POLL_INTERVAL_MS: {
    doc: 'The outbox relay is woken by each commit; this is its safety-net poll, its Kafka probe while idle, and how often a standby cart instance tries to take over the relay.',
    schema: z.coerce.number().int().min(50).max(60_000),
    default: '1000',
  },
  KAFKA_FAILOVER_GRACE_MS: {
    doc: "How long the cart's outbox relay lets sends fail while Kafka still answers metadata (a dead node's partitions electing new leaders) before it counts Kafka as unavailable and writes answer 503; meanwhile writes are stored and answered 201 or, past PUBLISH_TIMEOUT_MS, 202. 0 refuses writes at the first failed send.",
    schema: z.coerce.number().int().min(0).max(600_000),
    default: '15000',
  },
  PRODUCER_MAX_BATCH: {
    doc: 'Most events the outbox relay sends in one produce call (and most writes in one group commit).',
    schema: z.coerce.number().int().min(1).max(10_000),
    default: '500',
  },
  PRODUCER_MAX_BATCH_BYTES: {
    doc: "Most bytes of event values the outbox relay sends in one produce call (and one group commit writes); keep it below the topic's max.message.bytes (1 MiB by default).",
    schema: z.coerce.number().int().min(1024).max(64 * 1024 * 1024),
    default: '524288',
  },
  HTTP_BODY_LIMIT: {
    doc: 'Largest accepted request body (bytes or a unit such as 100kb); larger bodies get 413.',
    schema: z.string().regex(/^\d+(b|kb|mb)?$/i, 'expected a size such as 100kb'),
    default: '100kb',
  },
  LOG_LEVEL: {
    doc: 'Log level: fatal, error, warn, info, debug, trace or silent.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
  },
} as const;

type Settings = typeof SETTINGS;
export type Config = Readonly<{ [Key in keyof Settings]: z.output<Settings[Key]['schema']> }>;
export type ConfigKey = keyof Settings;

/** The setting names with their doc strings and defaults, for the README and `--help` output. */
export const CONFIG_DOCS: ReadonlyArray<{ key: ConfigKey; doc: string; default: string }> = Object.entries(SETTINGS).map(
  ([key, setting]) => ({ key: key as ConfigKey, doc: setting.doc, default: setting.default }),
);

/** Rules that tie settings together, checked once each setting is valid on its own; each names what is wrong. */
/** The settings whose values must all differ, and why. */
const DISTINCT_SETTINGS: ReadonlyArray<{ keys: readonly ConfigKey[]; because: string }> = [
  {
    keys: ['CART_DB_SCHEMA', 'ORDER_DB_SCHEMA', 'INVENTORY_DB_SCHEMA', 'NOTIFICATION_DB_SCHEMA', 'ACCESS_DB_SCHEMA'],
    because: 'each service owns a schema of its own, and the API keys have theirs',
  },
  {
    keys: ['ORDER_EVENTS_TOPIC', 'INVENTORY_EVENTS_TOPIC', 'DEAD_LETTER_TOPIC', 'INVENTORY_DEAD_LETTER_TOPIC', 'NOTIFICATION_DEAD_LETTER_TOPIC'],
    because: "each topic carries one stream: a record on another stream's topic is poison there",
  },
];

/** The first pair of `keys` whose values are equal, as a problem. */
function sameValue(config: Config, keys: readonly ConfigKey[], because: string): string | undefined {
  for (const [index, key] of keys.entries()) {
    const twin = keys.slice(index + 1).find((other) => config[other] === config[key]);
    if (twin) return `${key} and ${twin} are both '${String(config[key])}'; they must differ: ${because}`;
  }
  return undefined;
}

/** SASL credentials and a CA go with the protocols that use them; set elsewhere they would be silently ignored. */
const KAFKA_SECURITY_RULES: ReadonlyArray<(config: Config) => string | undefined> = [
  (config) => {
    if (config.KAFKA_SECURITY_PROTOCOL !== 'sasl_ssl') return undefined;
    const missing = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).filter((key) => config[key] === undefined);
    return missing.length > 0 ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required when KAFKA_SECURITY_PROTOCOL is sasl_ssl: the broker signs every client in` : undefined;
  },
  (config) => {
    if (config.KAFKA_SECURITY_PROTOCOL === 'sasl_ssl') return undefined;
    const set = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const).filter((key) => config[key] !== undefined);
    return set.length > 0 ? `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set but KAFKA_SECURITY_PROTOCOL is ${config.KAFKA_SECURITY_PROTOCOL}: SASL credentials are only used with sasl_ssl` : undefined;
  },
  (config) =>
    config.KAFKA_SECURITY_PROTOCOL === 'plaintext' && config.KAFKA_SSL_CA_FILE !== undefined
      ? 'KAFKA_SSL_CA_FILE is set but KAFKA_SECURITY_PROTOCOL is plaintext: the CA is only used with ssl or sasl_ssl'
      : undefined,
];

/** Query parameters of a PostgreSQL URL that pg reads as TLS settings. */
const URL_TLS_PARAMETERS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

const DATABASE_SSL_RULES: ReadonlyArray<(config: Config) => string | undefined> = [
  (config) =>
    config.DATABASE_SSL_CA_FILE !== undefined && config.DATABASE_SSL !== 'verify-full'
      ? `DATABASE_SSL_CA_FILE is set but DATABASE_SSL is ${config.DATABASE_SSL}: only verify-full checks the server's certificate against a CA`
      : undefined,
  // pg lets the URL's TLS parameters win over the settings it is given, which would quietly undo verify-full.
  (config) => {
    if (config.DATABASE_SSL === 'disable') return undefined;
    const inUrl = URL_TLS_PARAMETERS.filter((name) => new URL(config.DATABASE_URL).searchParams.has(name));
    return inUrl.length > 0 ? `DATABASE_URL sets ${inUrl.join(', ')} while DATABASE_SSL is ${config.DATABASE_SSL}: leave TLS to DATABASE_SSL and DATABASE_SSL_CA_FILE` : undefined;
  },
];

const SETTING_RULES: ReadonlyArray<(config: Config) => string | undefined> = [
  ...DISTINCT_SETTINGS.map(({ keys, because }) => (config: Config) => sameValue(config, keys, because)),
  // An unsigned webhook could be forged by anyone who learns the receiver's URL.
  (config) =>
    config.WEBHOOK_URL !== undefined && config.WEBHOOK_SECRET === undefined
      ? 'WEBHOOK_SECRET is required when WEBHOOK_URL is set: every webhook is signed with it (or leave WEBHOOK_URL empty to turn webhooks off)'
      : undefined,
  ...KAFKA_SECURITY_RULES,
  ...DATABASE_SSL_RULES,
];

/** Raised at start-up when a setting has a bad value; names every offending setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from `env` (the process environment by default), with overrides
 * for tests. Unset or empty variables take their default; any bad value throws a ConfigError.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<ConfigKey, string>> = {}): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const raw = overrides[key as ConfigKey] ?? nonEmpty(env[key]) ?? setting.default;
    const parsed = setting.schema.safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else problems.push(`${key}=${'secret' in setting ? '(hidden)' : `'${withoutPassword(raw)}'`}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = values as Config;
  problems.push(...SETTING_RULES.flatMap((rule) => rule(config) ?? []));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** True when none of the three endpoints is configured, so the local stack should serve them. */
export function usesLocalStack(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL'].every((key) => nonEmpty(env[key]) === undefined);
}

/**
 * `raw` with the password of a URL's user info masked (a DATABASE_URL that fails validation is
 * printed, its password never): everything from the user's colon to the last "@", since a URL
 * that fails may well be one whose password holds an unescaped "/" or "@".
 */
function withoutPassword(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):.*@/i, '$1:***@');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
