import { Router } from 'express';
import { z } from 'zod';
import { AppError, toAppError } from '../errors';
import { pagingFields, parse, query, success } from '../lib/http';
import { headersAsText, restoreHeaders } from '../lib/kafka';
import { eventJson } from '../lib/registry';
import { RECORD_ID_PATTERN } from '../lib/consumer';
import type { DeadLetter, DeadLetterStore } from './dead-letter-store';
import type { DeadLetterReplayer } from './dead-letter-replay';
import type { EventDecoder } from '../lib/consumer';
import type { DecodedStreamEvent, EventStream } from '../lib/registry';

/** Decodes a dead letter's value with the serde of the topic it came from. */
export type DeadLetterDecoders = ReadonlyMap<string, EventDecoder<DecodedStreamEvent<EventStream>>>;

const MAX_PAGE_SIZE = 100;

const listSchema = z.object({
  ...pagingFields(20, MAX_PAGE_SIZE),
  replayed: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
});

/** A record id as the dlq-record-id header writes it (`<topic>/<partition>/<offset>`), URL-encoded in the path. */
const recordIdSchema = z.object({ recordId: z.string().regex(new RegExp(RECORD_ID_PATTERN), 'must be a dead letter id: <topic>/<partition>/<offset>, URL-encoded') });

/**
 * Who replays is required: it is recorded, and a JSON body cannot come from a plain cross-site
 * form or a no-cors request, so another site cannot make an operator's browser replay.
 */
const replaySchema = z.object({ operator: z.string().regex(/^[\p{L}\p{N} ._@-]{1,100}$/u, 'must be 1 to 100 letters, digits, spaces or . _ @ -') }).strict();

/** The value decoded with its writer's schema from the registry (money at its scale, instants as ISO), or why it could not be. */
async function decodedValue(decoder: EventDecoder<DecodedStreamEvent<EventStream>> | undefined, value: Buffer | null): Promise<{ decoded: unknown; decodeError: string | null }> {
  if (value === null || value.length === 0) return { decoded: null, decodeError: 'the dead letter has no value' };
  if (!decoder) return { decoded: null, decodeError: 'it comes from a topic this service does not read' };
  try {
    const decoded = await decoder.decode(value);
    return { decoded: { type: decoded.type, schemaId: decoded.schemaId, event: eventJson(decoded) }, decodeError: null };
  } catch (error) {
    return { decoded: null, decodeError: toAppError(error).message };
  }
}

/** The public view of a dead letter; `withBytes` adds the raw value (base64) for inspecting one. */
async function deadLetterView(decoders: DeadLetterDecoders, deadLetter: DeadLetter, withBytes: boolean) {
  const { value, key, storedHeaders, ...rest } = deadLetter;
  return {
    ...rest,
    key: key === null ? null : key.toString('utf8'),
    headers: headersAsText(restoreHeaders(storedHeaders)),
    value: {
      bytes: value?.length ?? 0,
      ...(await decodedValue(decoders.get(deadLetter.source?.topic ?? ''), value)),
      ...(withBytes ? { base64: value === null ? null : value.toString('base64') } : {}),
    },
  };
}

/** The dead-letter API: list and inspect the dead-letter topic's records, and replay one to its source topic, once. */
export function deadLetterRoutes({ store, replayer, decoders }: { store: DeadLetterStore; replayer: DeadLetterReplayer; decoders: DeadLetterDecoders }): Router {
  const router = Router();

  router.get('/dlq', async (req, res) => {
    const { page, pageSize, replayed } = parse(listSchema, query(req));
    const { deadLetters, total } = await store.list({ page, pageSize, ...(replayed !== undefined ? { replayed } : {}) });
    const views = await Promise.all(deadLetters.map((deadLetter) => deadLetterView(decoders, deadLetter, false)));
    res.json(success(`${views.length} of ${total} dead letters`, { total, page, pageSize, deadLetters: views }));
  });

  router.get('/dlq/:recordId', async (req, res) => {
    const { recordId } = parse(recordIdSchema, req.params);
    const deadLetter = await store.find(recordId);
    if (!deadLetter) throw new AppError('NOT_FOUND', `no dead letter '${recordId}'`);
    res.json(success(`dead letter ${recordId}`, await deadLetterView(decoders, deadLetter, true)));
  });

  router.post('/dlq/:recordId/replay', async (req, res) => {
    const { recordId } = parse(recordIdSchema, req.params);
    const { operator } = parse(replaySchema, req.body ?? {});
    const replayed = await replayer.replay(recordId, operator);
    res.json(success(`dead letter ${recordId} replayed to ${replayed.source?.topic ?? '?'} (partition ${replayed.replay?.partition}, offset ${replayed.replay?.offset})`, await deadLetterView(decoders, replayed, false)));
  });

  return router;
}
