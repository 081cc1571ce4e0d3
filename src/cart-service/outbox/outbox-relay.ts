import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import type { Client, Notification } from 'pg';
import { openSession, preparedStatement, type Knex } from '../../lib/db';
import { createIdempotentSender, ensureTopics, isRecordRefused, type TopicMessages } from '../../lib/kafka';
import type { Metrics } from '../../lib/metrics';
import type { Logger } from '../../logger';
import type { PublicationTracker } from './publication-tracker';

export interface OutboxRelayOptions {
  knex: Knex;
  kafka: Kafka;
  /** The topic the cart writes to; the leader creates it when it is missing. */
  topic: string;
  tracker: PublicationTracker;
  metrics: Metrics;
  logger: Logger;
  /** Most rows in one produce call. */
  maxBatch: number;
  /** Most value bytes in one produce call (a single larger row still goes alone). */
  maxBatchBytes: number;
  /** How long Kafka may take to acknowledge one produce call. */
  sendTimeoutMs: number;
  /** Safety net: how often the leader looks for rows without being woken, and probes an idle Kafka. */
  pollIntervalMs: number;
  /** How often a standby tries to become the leader; bounds how long a dead leader's rows wait. */
  takeoverIntervalMs: number;
  /**
   * How long sends may keep failing while Kafka still answers metadata (a dead node's partitions
   * waiting for new leaders) before Kafka counts as unavailable; 0 counts it at the first failure.
   */
  failoverGraceMs: number;
}

/** What this instance's relay is doing: publishing (leader), waiting to take over (standby), or without its database session. */
export type RelayRole = 'leader' | 'standby' | 'disconnected';

interface OutboxRow {
  id: string;
  event_type: string;
  topic: string;
  message_key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** Where relay notifications travel; both named after the outbox table's oid, so each schema has its own. */
interface Channels {
  /** The insert trigger notifies here when rows commit. */
  newRows: string;
  /** The leader tells every instance what it published and whether Kafka is reachable. */
  relay: string;
  /** The advisory lock that makes one relay the leader. */
  lockKey: string;
}

const ROW_COLUMNS = 'id, event_type, topic, message_key, value, headers';
const PUBLISHED = 'published:';
const KAFKA_DOWN = 'kafka-down:';
const KAFKA_UP = 'kafka-up';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; ids go out in chunks well below it. */
const IDS_PER_NOTIFICATION = 300;
const MAX_BACKOFF_MS = 5_000;
/** Longest Kafka-down reason sent to the other instances (NOTIFY payloads must stay under 8000 bytes). */
const MAX_REASON_LENGTH = 300;

/**
 * Whether Kafka counts as unavailable (writes refused) after sends have failed for `failingForMs`:
 * once the grace has run out, or at once when Kafka does not even answer metadata.
 */
export function kafkaCountsDown({ failingForMs, graceMs, answersMetadata }: { failingForMs: number; graceMs: number; answersMetadata: boolean }): boolean {
  return failingForMs >= graceMs || !answersMetadata;
}

/**
 * Publishes the outbox: exactly one instance per outbox table is the leader (it holds a
 * session-level advisory lock), reads rows in id order, sends them with an idempotent producer
 * (acks=all) many per produce call, and deletes them once Kafka acknowledged them. The others
 * stand by and take over within `takeoverIntervalMs` when the leader's session ends.
 *
 * Order: each order's rows are written under that order's row lock, so for one order a larger id
 * always commits later; reading everything not yet deleted in id order therefore sends each
 * order's events in commit order, while rows of different orders may commit out of id order
 * without harm. A crash between Kafka's acknowledgement and the delete sends rows again;
 * consumers drop the repeats by event id.
 *
 * Every instance listens on the relay channel, so a request answered by one instance learns that
 * its row was published by another, and each instance knows whether Kafka is reachable (to
 * refuse writes before writing while it is not).
 */
export function createOutboxRelay(options: OutboxRelayOptions) {
  const { knex, kafka, topic, tracker, metrics, logger, pollIntervalMs, takeoverIntervalMs } = options;
  const log = logger.child({ component: 'outbox-relay' });
  const sender = createIdempotentSender({ kafka, timeoutMs: options.sendTimeoutMs });
  let admin: Admin | undefined;
  /** Topics known to exist; a row may name a topic other than the configured one (written before a change of ORDER_EVENTS_TOPIC). */
  const ensuredTopics = new Set<string>();
  let role: RelayRole = 'disconnected';
  /** Why Kafka is unavailable as last seen (by this leader, or told by the leader), and when. */
  let kafkaDown: { reason: string; seenAt: number } | undefined;
  /** When the sends began to fail, while they keep failing. */
  let failingSince: number | undefined;
  let stopping = false;
  let running: Promise<void> | undefined;
  let sessionLost: Error | undefined;
  let wake: (() => void) | undefined;
  let woken = false;
  let firstAttempt: (() => void) | undefined;
  const firstAttemptDone = new Promise<void>((resolve) => {
    firstAttempt = resolve;
  });

  function setRole(next: RelayRole): void {
    if (next === role) return;
    role = next;
    metrics.outboxRelayLeader.set(next === 'leader' ? 1 : 0);
    log.info({ role: next }, next === 'leader' ? 'this instance now publishes the outbox' : `outbox relay is ${next}`);
  }

  function wakeUp(): void {
    woken = true;
    wake?.();
  }

  /** Waits up to `ms`, or less when woken by new rows, a lost session or stop. */
  async function pause(ms: number): Promise<void> {
    if (woken || stopping || sessionLost) return;
    const controller = new AbortController();
    wake = () => controller.abort();
    await sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);
    wake = undefined;
  }

  function onNotification({ channel, payload = '' }: Notification, channels: Channels): void {
    if (channel === channels.newRows) wakeUp();
    else if (payload.startsWith(PUBLISHED)) tracker.published(payload.slice(PUBLISHED.length).split(','));
    else if (payload.startsWith(KAFKA_DOWN) && role !== 'leader') kafkaDown = { reason: payload.slice(KAFKA_DOWN.length), seenAt: Date.now() };
    else if (payload === KAFKA_UP && role !== 'leader') kafkaDown = undefined;
  }

  async function notify(client: Client, channels: Channels, payload: string): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [channels.relay, payload]);
  }

  /**
   * The leader's view of Kafka, told to every instance each time it is learnt (not only when it
   * changes), so an instance that missed a notice while reconnecting is put right by the next.
   */
  async function setKafkaState(client: Client, channels: Channels, down: string | undefined): Promise<void> {
    if (down !== kafkaDown?.reason) {
      if (down) log.warn({ reason: down }, 'Kafka is unavailable: writes are refused until it is back');
      else if (kafkaDown) log.info('Kafka is reachable again');
    }
    kafkaDown = down === undefined ? undefined : { reason: down.slice(0, MAX_REASON_LENGTH), seenAt: Date.now() };
    await notify(client, channels, kafkaDown ? `${KAFKA_DOWN}${kafkaDown.reason}` : KAFKA_UP);
  }

  /** Reads the oldest rows, when no settle read them (first, and after an empty read or a failure). */
  async function readBatch(client: Client, limit: number): Promise<OutboxRow[]> {
    woken = false;
    const { rows } = await client.query<OutboxRow>(preparedStatement(`SELECT ${ROW_COLUMNS} FROM cart_outbox ORDER BY id LIMIT $1`, [limit]));
    return withinByteBudget(rows);
  }

  /** The oldest rows up to `maxBatchBytes` of values (the first row goes whatever its size). */
  function withinByteBudget(rows: OutboxRow[]): OutboxRow[] {
    let bytes = 0;
    const fitting = rows.findIndex((row, index) => {
      bytes += row.value.length;
      return index > 0 && bytes > options.maxBatchBytes;
    });
    return fitting === -1 ? rows : rows.slice(0, fitting);
  }

  async function send(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const row of rows) {
      const entry = byTopic.get(row.topic) ?? { topic: row.topic, messages: [] };
      entry.messages.push({ key: row.message_key, value: row.value, headers: row.headers as IHeaders });
      byTopic.set(row.topic, entry);
    }
    await sender.send([...byTopic.values()]);
  }

  /** A row Kafka refuses on its own, whatever the batch: set aside, so the rows after it are published. */
  async function park(client: Client, row: OutboxRow, reason: string): Promise<void> {
    await client.query(
      `WITH parked AS (DELETE FROM cart_outbox WHERE id = $1 RETURNING *)
       INSERT INTO cart_outbox_parked (id, event_id, event_type, order_id, topic, message_key, value, schema_id, headers, created_at, reason)
       SELECT id, event_id, event_type, order_id, topic, message_key, value, schema_id, headers, created_at, $2 FROM parked
       ON CONFLICT (id) DO UPDATE SET reason = excluded.reason, parked_at = now()`,
      [row.id, reason.slice(0, MAX_REASON_LENGTH)],
    );
    metrics.outboxParked.inc({ event_type: row.event_type });
    log.error({ outboxId: row.id, eventType: row.event_type, reason }, 'Kafka refuses this event outright; it is parked in cart_outbox_parked until an operator moves it back');
  }

  /**
   * Acknowledged rows: wake their requests, delete them, tell the other instances, and read the
   * next batch, all in one round trip (the relay's loop is a Kafka round trip and this one).
   */
  async function settleAndReadNext(client: Client, channels: Channels, rows: OutboxRow[], limit: number): Promise<OutboxRow[]> {
    const ids = rows.map((row) => row.id);
    metrics.produceBatchSize.observe(rows.length);
    for (const row of rows) metrics.eventsProduced.inc({ event_type: row.event_type, outcome: 'acknowledged' });
    const notices: string[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_NOTIFICATION) notices.push(`${PUBLISHED}${ids.slice(start, start + IDS_PER_NOTIFICATION).join(',')}`);
    woken = false;
    try {
      // The read shares the delete's snapshot, so it skips the deleted rows by id. The notices run
      // once as a one-time filter (an uncorrelated subquery), whether or not any row is left.
      const { rows: next } = await client.query<OutboxRow>(
        preparedStatement(
          `WITH deleted AS (DELETE FROM cart_outbox WHERE id = ANY($1::bigint[]))
           SELECT ${ROW_COLUMNS} FROM cart_outbox
           WHERE (SELECT count(pg_notify($2, notice)) FROM unnest($3::text[]) AS notice) >= 0 AND id <> ALL($1::bigint[])
           ORDER BY id LIMIT $4`,
          [ids, channels.relay, notices, limit],
        ),
      );
      return withinByteBudget(next);
    } finally {
      // After the delete, so an order read after its 201 shows its event published; and even when
      // the delete failed, because Kafka has the events (they will be sent again, harmlessly).
      tracker.published(ids);
    }
  }

  /** A metadata round trip (creating the topic the first time), so an idle leader notices Kafka going and coming. */
  async function probeKafka(client: Client, channels: Channels): Promise<void> {
    let down: string | undefined;
    try {
      if (ensuredTopics.has(topic)) await connectedAdmin().then((connected) => connected.describeCluster());
      else await ensureTopicsExist([topic]);
    } catch (error) {
      down = describe(error);
    }
    // Outside the try: a failed NOTIFY is the database's failure (the session ends), not Kafka's.
    await setKafkaState(client, channels, down);
  }

  /**
   * Why Kafka counts as unavailable after a failed send, or undefined while it does not yet: in a
   * cluster, a dead node's partitions are without a leader until the others fence it, and the
   * writes meanwhile are better stored and published a few seconds late (202) than refused.
   * Within `failoverGraceMs`, Kafka counts as unavailable only when metadata fails too.
   */
  async function unavailableAfterFailedSend(error: unknown): Promise<string | undefined> {
    failingSince ??= Date.now();
    const failingForMs = Date.now() - failingSince;
    const answersMetadata = () =>
      connectedAdmin()
        .then((connected) => connected.describeCluster())
        .then(
          () => true,
          () => false,
        );
    if (kafkaCountsDown({ failingForMs, graceMs: options.failoverGraceMs, answersMetadata: failingForMs < options.failoverGraceMs && (await answersMetadata()) })) return describe(error);
    log.warn({ err: error, failingForMs }, 'a send failed while Kafka still answers; retrying (a partition may be electing a new leader)');
    return undefined;
  }

  async function connectedAdmin(): Promise<Admin> {
    admin ??= kafka.admin();
    await admin.connect();
    return admin;
  }

  async function ensureTopicsExist(topics: string[]): Promise<void> {
    const missing = topics.filter((name) => !ensuredTopics.has(name));
    if (missing.length === 0) return;
    for (const created of await ensureTopics(await connectedAdmin(), missing)) log.info({ topic: created }, 'created the topic');
    missing.forEach((name) => ensuredTopics.add(name));
  }

  /** The leader's loop: publish what is there, then wait to be woken. Returns when the session is lost or on stop. */
  async function lead(client: Client, channels: Channels): Promise<void> {
    await client.query(`LISTEN ${client.escapeIdentifier(channels.newRows)}`);
    await probeKafka(client, channels);
    firstAttempt?.();
    let backoffMs = 100;
    // Halved when Kafka finds a produce call too large for the topic (its max.message.bytes may be below ours).
    let limit = options.maxBatch;
    /** Rows read together with the last settle; none when the next read must start afresh. */
    let next: OutboxRow[] | undefined;
    while (!stopping && !sessionLost) {
      const rows = next ?? (await readBatch(client, limit));
      next = undefined;
      if (rows.length === 0) {
        await pause(pollIntervalMs);
        if (!woken && !stopping && !sessionLost) await probeKafka(client, channels);
        continue;
      }
      try {
        await ensureTopicsExist([...new Set(rows.map((row) => row.topic))]);
        await send(rows);
      } catch (error) {
        for (const row of rows) metrics.eventsProduced.inc({ event_type: row.event_type, outcome: 'failed' });
        if (isRecordRefused(error)) {
          if (rows.length > 1) {
            limit = Math.max(1, Math.floor(rows.length / 2));
            log.warn({ rows: rows.length, limit }, 'Kafka refused a produce call as too large; sending fewer rows per call');
          } else {
            await park(client, rows[0]!, describe(error));
          }
          continue;
        }
        const down = await unavailableAfterFailedSend(error);
        if (down !== undefined) await setKafkaState(client, channels, down);
        await pause(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        continue;
      }
      backoffMs = 100;
      failingSince = undefined;
      limit = Math.min(options.maxBatch, limit * 2);
      if (kafkaDown) await setKafkaState(client, channels, undefined);
      next = await settleAndReadNext(client, channels, rows, limit);
    }
  }

  async function channelsOf(client: Client): Promise<Channels> {
    const { rows } = await client.query<{ oid: string }>(`SELECT 'cart_outbox'::regclass::oid::bigint AS oid`);
    const oid = rows[0]?.oid;
    if (oid === undefined) throw new Error('cart_outbox is missing; run the migrations');
    // The high 32 bits keep the lock apart from other users of advisory locks keyed by small numbers.
    return { newRows: `orderflow_outbox_${oid}`, relay: `orderflow_outbox_${oid}_relay`, lockKey: String((0x4f46n << 32n) | BigInt(oid)) };
  }

  /** One database session: listen, then lead or stand by until the session is lost or the relay stops. */
  async function serveSession(): Promise<void> {
    sessionLost = undefined;
    woken = false;
    const client = await openSession(knex, {
      onLost(error) {
        sessionLost = error;
        wake?.();
      },
    });
    try {
      // The relay's own commits (deletes of published rows) need no flush to disk before going on:
      // one lost in a crash only means those rows are sent again, which consumers drop by event id.
      // This takes a disk flush off every request's path; the writes themselves stay durable.
      await client.query('SET synchronous_commit TO off');
      const channels = await channelsOf(client);
      client.on('notification', (notification) => onNotification(notification, channels));
      await client.query(`LISTEN ${client.escapeIdentifier(channels.relay)}`);
      while (!stopping && !sessionLost) {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [channels.lockKey]);
        if (rows[0]?.locked) {
          setRole('leader');
          await lead(client, channels);
        } else {
          setRole('standby');
          firstAttempt?.();
          // New-row notices only concern a leader; a standby waits its full interval.
          woken = false;
          await pause(takeoverIntervalMs);
        }
      }
    } finally {
      setRole('disconnected');
      // Ending the session releases the advisory lock, so a standby can take over at once.
      await client.end().catch(() => undefined);
    }
  }

  async function run(): Promise<void> {
    let backoffMs = 100;
    while (!stopping) {
      try {
        await serveSession();
        backoffMs = 100;
      } catch (error) {
        if (stopping) break;
        log.warn({ err: error }, 'the outbox relay lost its database session; reconnecting');
        firstAttempt?.();
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  return {
    /** Starts relaying in the background; resolves once the first attempt at leadership (and, as leader, at Kafka) is over. */
    async start(): Promise<void> {
      running ??= run();
      await firstAttemptDone;
    },

    /** Why Kafka is known to be unavailable, as far as the leader knows; undefined when it is not. */
    kafkaDownReason(): string | undefined {
      // A leader knows first hand. Another instance trusts a notice only while the leader would
      // have repeated it (it repeats at every failed send and idle probe), so a missed "Kafka is
      // back" cannot leave it refusing writes.
      if (!kafkaDown) return undefined;
      if (role !== 'leader' && Date.now() - kafkaDown.seenAt > Math.max(3 * pollIntervalMs, 2 * MAX_BACKOFF_MS)) return undefined;
      return kafkaDown.reason;
    },

    role: (): RelayRole => role,

    /** Finishes the batch in hand, releases leadership and disconnects. */
    async stop(): Promise<void> {
      stopping = true;
      wake?.();
      await running;
      await sender.disconnect().catch(() => undefined);
      await admin?.disconnect().catch(() => undefined);
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
