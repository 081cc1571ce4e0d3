import { join } from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { createOpenApiChecker, type OpenApiChecker } from './openapi-contract';

const POSTMAN_DIR = join(__dirname, '..', '..', 'postman');

export interface PostmanRun {
  summary: NewmanRunSummary;
  /** Each request's failed assertions, as `<request name>: <message>`. */
  failures: string[];
  /** Each answer the OpenAPI document does not declare, as the checker words it. */
  contractFailures: string[];
  /** The checker every answer went through: what it covered, and what not. */
  contract: OpenApiChecker;
}

/**
 * Runs `postman/<collection>` with newman (and the local environment), with `variables` set,
 * checking every answer of an operation the service's OpenAPI `document` declares against it.
 */
export function runPostmanCollection(collection: string, variables: Record<string, string>, document: object): Promise<PostmanRun> {
  const contract = createOpenApiChecker(document);
  const contractFailures: string[] = [];
  return new Promise<NewmanRunSummary>((resolve, reject) => {
    newman
      .run(
        {
          collection: join(POSTMAN_DIR, collection),
          environment: join(POSTMAN_DIR, 'local.postman_environment.json'),
          envVar: Object.entries(variables).map(([key, value]) => ({ key, value })),
          reporters: [],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      )
      .on('request', (error, { request, response }) => {
        if (error || !response) return;
        const method = request.method.toLowerCase();
        const path = `/${request.url.getPathWithQuery().replace(/^\//, '')}`;
        if (!contract.hasOperation(method, path)) return;
        const contentType = response.headers.get('Content-Type') as string | undefined;
        const text = response.text();
        try {
          contract.expectMatchesOpenApi(method, path, {
            status: response.code,
            body: contentType?.includes('application/json') ? (JSON.parse(text) as unknown) : text,
            headers: contentType === undefined ? {} : { 'content-type': contentType },
          });
        } catch (failure) {
          contractFailures.push((failure as Error).message);
        }
      });
  }).then((summary) => ({
    summary,
    failures: summary.run.failures.map((failure) => `${failure.source?.name ?? '?'}: ${failure.error.message}`),
    contractFailures,
    contract,
  }));
}
