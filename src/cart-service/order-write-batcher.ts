import { assertTransition, type OrderJson, type OrderStatus } from '../domain';
import { AppError, toAppError } from '../errors';
import { createMicroBatcher, type BatchOutcome } from '../lib/batching';
import type { Knex, SqlTransaction } from '../lib/db';
import { errorAnswer, successAnswer, type Answer } from './answers';
import type { CartOrderRepository, KnownOrder } from './cart-order-repository';
import { replayOf, type IdempotencyClaim, type IdempotencyStore } from './idempotency';
import type { OrderEventEncoder } from './order-event-encoder';
import type { OutboxEntry, OutboxStore, PublicationTracker, PublicationWait } from './outbox';
import { transactionOutcome } from './transaction-outcome';

/** A validated new order with its OrderCreated, encoded. */
export interface CreateCommand {
  kind: 'create';
  order: OrderJson;
  event: OutboxEntry;
  idempotency?: IdempotencyClaim;
}

/** A validated move of an order to a new status; its event is encoded once the current status is known. */
export interface UpdateCommand {
  kind: 'update';
  orderId: string;
  status: OrderStatus;
  idempotency?: IdempotencyClaim;
}

export type WriteCommand = CreateCommand | UpdateCommand;

/** A command as a use case builds it; the Idempotency-Key claim, if any, is added by whoever answers it. */
export type UnclaimedCommand = Omit<CreateCommand, 'idempotency'> | Omit<UpdateCommand, 'idempotency'>;

/** What a committed write answers, with the wait for its event's publication when it wrote one. */
export interface WriteResult {
  answer: Answer;
  /** The outbox row whose publication the answer waits for (absent for refusals). */
  outboxId?: string;
  publication?: PublicationWait;
  /** The answer is another request's, replayed for its Idempotency-Key; its event may be long published. */
  replayed?: true;
}

export interface OrderWriteBatcherOptions {
  knex: Knex;
  orders: CartOrderRepository;
  outbox: OutboxStore;
  idempotency: IdempotencyStore;
  encoder: OrderEventEncoder;
  tracker: PublicationTracker;
  batching: boolean;
  maxBatch: number;
  /** Most bytes of encoded events in one transaction (a single larger one still goes alone). */
  maxBatchBytes: number;
}

/** An answer decided in the transaction, and the event it owes Kafka if any. */
interface Decided {
  answer: Answer;
  event?: OutboxEntry;
  /** Another request's committed answer to the same key: replayed, not written again. */
  replayedOutboxId?: string;
}

/**
 * Group commit for every write of the cart: creates and status updates that arrive together
 * share one PostgreSQL transaction, which writes their orders, their outbox rows and their
 * Idempotency-Key answers — and nothing else; the outbox relay publishes afterwards. Each
 * command gets its own answer (201/200, or 404/409 refusals, or a replay); a dependency outage
 * fails the batch alike (nothing written), and any other error is retried command by command
 * so one command cannot fail the others.
 */
export function createOrderWriteBatcher({ knex, orders, outbox, idempotency, encoder, tracker, batching, maxBatch, maxBatchBytes }: OrderWriteBatcherOptions) {
  /** Settles the Idempotency-Keys first: a key with a stored answer replays it (or is refused as reused). */
  async function replays(trx: SqlTransaction, batch: WriteCommand[]): Promise<Map<WriteCommand, Decided>> {
    const decided = new Map<WriteCommand, Decided>();
    const keyed = batch.filter((command) => command.idempotency !== undefined);
    const claimed = await idempotency.claim(trx, keyed.map((command) => command.idempotency!));
    const taken = keyed.filter((command) => !claimed.has(command.idempotency!.key));
    const stored = await idempotency.find(trx, taken.map((command) => command.idempotency!.key));
    for (const command of taken) {
      const claim = command.idempotency!;
      const answered = stored.get(claim.key);
      if (!answered) throw new AppError('INTERNAL', `Idempotency-Key '${claim.key}' is neither new nor answered`);
      const { answer, outboxId } = replayOf(answered, claim);
      decided.set(command, { answer, replayedOutboxId: outboxId });
    }
    return decided;
  }

  /** Writes the new orders with their events; returns the outbox id of each command that created its order. */
  async function decideCreates(trx: SqlTransaction, creates: CreateCommand[], decided: Map<WriteCommand, Decided>): Promise<Map<WriteCommand, string>> {
    const firstOfItsId = new Map<string, CreateCommand>();
    for (const command of creates) if (!firstOfItsId.has(command.order.orderId)) firstOfItsId.set(command.order.orderId, command);
    const outboxIdOfOrder = await orders.insertNew(trx, [...firstOfItsId.values()]);
    const outboxIds = new Map<WriteCommand, string>();
    for (const command of creates) {
      const { orderId } = command.order;
      const outboxId = firstOfItsId.get(orderId) === command ? outboxIdOfOrder.get(orderId) : undefined;
      if (outboxId !== undefined) outboxIds.set(command, outboxId);
      decided.set(
        command,
        outboxId !== undefined
          ? { answer: successAnswer(201, `order ${orderId} created`, command.order), event: command.event }
          : { answer: errorAnswer(new AppError('CONFLICT', `order '${orderId}' already exists`)) },
      );
    }
    return outboxIds;
  }

  /** Applies the updates in arrival order over the locked rows (two updates of one order in a batch chain). */
  async function decideUpdates(trx: SqlTransaction, updates: UpdateCommand[], decided: Map<WriteCommand, Decided>): Promise<void> {
    if (updates.length === 0) return;
    const current = await orders.lockForUpdate(trx, updates.map((command) => command.orderId));
    const changed = new Map<string, { order: KnownOrder; event: OutboxEntry }>();
    for (const command of updates) {
      const { orderId, status } = command;
      const known = changed.get(orderId)?.order ?? current.get(orderId)?.order;
      try {
        if (!known) throw new AppError('NOT_FOUND', `order '${orderId}' is not known`);
        assertTransition(known.status, status);
      } catch (error) {
        decided.set(command, { answer: errorAnswer(toAppError(error)) });
        continue;
      }
      const order: KnownOrder = { ...known, status };
      const event = await encoder.statusUpdated(orderId, status, known.status);
      changed.set(orderId, { order, event });
      decided.set(command, { answer: successAnswer(200, `order ${orderId} is now ${status}`, order), event });
    }
    await orders.saveStatuses(trx, [...changed.values()].map(({ order, event }) => ({ order, lastEvent: event })));
  }

  /** Decides every command of `batch` in one transaction; outbox rows are awaited from before the commit, so no acknowledgement goes unheard. */
  async function writeTogether(batch: WriteCommand[]): Promise<WriteResult[]> {
    const waits: PublicationWait[] = [];
    const results = await transactionOutcome(knex, async (trx) => {
      const decided = await replays(trx, batch);
      const fresh = batch.filter((command) => !decided.has(command));
      const creates = fresh.filter((command): command is CreateCommand => command.kind === 'create');
      const updates = fresh.filter((command): command is UpdateCommand => command.kind === 'update');
      // Creates' events get their outbox ids first, then the updates' (which may have found those
      // orders), so each order's events get increasing ids.
      const outboxIdOf = await decideCreates(trx, creates, decided);
      await decideUpdates(trx, updates, decided);
      const updating = updates.filter((command) => decided.get(command)?.event !== undefined);
      const updateIds = await outbox.insert(trx, updating.map((command) => decided.get(command)!.event!));
      updating.forEach((command, index) => outboxIdOf.set(command, updateIds[index]!));
      await idempotency.answer(
        trx,
        fresh
          .filter((command) => command.idempotency !== undefined)
          .map((command) => ({ key: command.idempotency!.key, answer: decided.get(command)!.answer, outboxId: outboxIdOf.get(command) })),
      );
      return batch.map((command): WriteResult => {
        const { answer, replayedOutboxId } = decided.get(command)!;
        const outboxId = outboxIdOf.get(command) ?? replayedOutboxId;
        const replayed = replayedOutboxId !== undefined ? { replayed: true as const } : {};
        if (outboxId === undefined) return { answer };
        const publication = tracker.expect(outboxId);
        waits.push(publication);
        return { answer, outboxId, publication, ...replayed };
      });
    }).catch((error: unknown) => {
      waits.forEach((wait) => wait.cancel());
      throw error;
    });
    return results;
  }

  const batcher = createMicroBatcher<WriteCommand, WriteResult>({
    batching,
    maxBatch,
    // Bounded in bytes too, so one transaction never carries an outsized multi-row insert.
    weigh: (command) => (command.kind === 'create' ? command.event.value.length : 0),
    maxWeight: maxBatchBytes,
    async process(batch) {
      try {
        return (await writeTogether(batch)).map((value) => ({ ok: true, value }));
      } catch (error) {
        // A dependency outage fails every write alike (503, nothing written). Anything else may be
        // one command's fault: each is retried alone so it cannot fail the ones it shared a batch with.
        // One after the other, in arrival order, as the batch would have applied them.
        if (batch.length === 1 || toAppError(error).retriable || toAppError(error).code === 'COMMIT_OUTCOME_UNKNOWN') throw error;
        const outcomes: Array<BatchOutcome<WriteResult>> = [];
        for (const command of batch) {
          outcomes.push(
            await writeTogether([command]).then(
              ([value]): BatchOutcome<WriteResult> => (value ? { ok: true, value } : { ok: false, error: new AppError('INTERNAL', 'no result for a write') }),
              (failure: unknown): BatchOutcome<WriteResult> => ({ ok: false, error: failure }),
            ),
          );
        }
        return outcomes;
      }
    },
  });

  return {
    /** Resolves once the command's transaction committed, with its answer; rejects when nothing of it was written. */
    write: (command: WriteCommand) => batcher.submit(command),
    /** Finishes the writes that wait or are in flight. */
    flush: () => batcher.flush(),
  };
}

export type OrderWriteBatcher = ReturnType<typeof createOrderWriteBatcher>;
