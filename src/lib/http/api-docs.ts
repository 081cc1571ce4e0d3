import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';

/** Serves a service's OpenAPI document at /docs/openapi.json and Swagger UI over it at /docs. */
export function serveApiDocs(app: Express, document: object): void {
  app.get('/docs/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document as swaggerUi.JsonObject));
}
