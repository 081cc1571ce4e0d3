/**
 * `npm run schemas:register`: checks every schema version in schemas/ against its subject's
 * compatibility mode (schemas/compatibility.json, default BACKWARD), prints a report per
 * subject, and registers the new versions — or nothing at all when any check fails (exit 1).
 * Re-running without changes registers nothing. Subjects: `<topic>-<record full name>`, the topic
 * being the one of the record's namespace (EVENT_STREAMS).
 */
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../../src/config';
import { AppError } from '../../src/errors';
import { EVENT_STREAMS, streamOfRecord, type EventStream } from '../../src/lib/registry/event-streams';
import { createRegistryClient, RegistryHttpError } from '../../src/lib/registry/registry-client';
import { loadSchemaCatalog, SCHEMAS_DIR, SchemaCatalogError, type RecordHistory } from './catalog';
import { syncSchemas } from './schema-sync';
import { renderSyncReport } from './sync-report';

interface Options {
  registryUrl?: string;
  topic?: string;
  inventoryTopic?: string;
  schemasDir: string;
  dryRun: boolean;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('schemas:register')
    .description('Check every schema against its subject compatibility mode, then register the new versions (or nothing, if any check fails).')
    .option('--registry-url <url>', 'Confluent-compatible registry API (default: SCHEMA_REGISTRY_URL)')
    .option('--topic <topic>', 'topic of the order events, whose subjects are <topic>-<record full name> (default: ORDER_EVENTS_TOPIC)')
    .option('--inventory-topic <topic>', 'topic of the inventory events (default: INVENTORY_EVENTS_TOPIC)')
    .option('--schemas-dir <dir>', 'folder with one sub-folder of v<N>.avsc files per record', path.relative(process.cwd(), SCHEMAS_DIR) || '.')
    .option('--dry-run', 'check and report, register nothing', false)
    .parse(argv);
  const options = program.opts<Options>();
  // Only read the environment for what the command line does not give.
  const config = options.registryUrl && options.topic && options.inventoryTopic ? undefined : loadConfig();
  const registryUrl = options.registryUrl ?? config?.SCHEMA_REGISTRY_URL ?? '';
  const topics: Record<EventStream, string> = {
    order: options.topic ?? config?.ORDER_EVENTS_TOPIC ?? '',
    inventory: options.inventoryTopic ?? config?.INVENTORY_EVENTS_TOPIC ?? '',
  };
  const topicOf = (record: RecordHistory): string => {
    const stream = streamOfRecord(record.fullName);
    if (!stream) {
      const namespaces = Object.values(EVENT_STREAMS).map(({ namespace }) => namespace);
      throw new SchemaCatalogError(`${record.fullName} is in no topic's namespace (${namespaces.join(', ')}); see EVENT_STREAMS in src/lib/registry/event-streams.ts`);
    }
    return topics[stream];
  };

  const catalog = loadSchemaCatalog(path.resolve(options.schemasDir));
  const topicList = Object.values(topics).join(', ');
  console.log(`schemas:register  registry ${registryUrl}  topics ${topicList}  schemas ${options.schemasDir}${options.dryRun ? '  (dry run)' : ''}\n`);
  const result = await syncSchemas({ client: createRegistryClient({ baseUrl: registryUrl }), topicOf, catalog, dryRun: options.dryRun });
  const report = renderSyncReport(result, { dryRun: options.dryRun });
  console.log(report.lines.join('\n'));
  (report.ok ? console.log : console.error)(`\n${report.summary}`);
  return report.ok ? 0 : 1;
}

main(process.argv)
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    // Expected failures get one readable line; only a bug shows a stack trace.
    const expected = error instanceof AppError || error instanceof RegistryHttpError || error instanceof SchemaCatalogError || error instanceof ConfigError;
    console.error(expected ? `✗ schemas:register: ${(error as Error).message}` : error);
    process.exit(1);
  });
