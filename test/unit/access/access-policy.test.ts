import { expect } from 'chai';
import { CART_ACCESS_POLICY } from '../../../src/cart-service/access-policy';
import { OPENAPI_DOCUMENT as CART_DOCUMENT } from '../../../src/cart-service/openapi';
import { INVENTORY_ACCESS_POLICY } from '../../../src/inventory-service/access-policy';
import { OPENAPI_DOCUMENT as INVENTORY_DOCUMENT } from '../../../src/inventory-service/openapi';
import { accessPolicy, SECURITY_SCHEME } from '../../../src/lib/access';
import { NOTIFICATION_ACCESS_POLICY } from '../../../src/notification-service/access-policy';
import { OPENAPI_DOCUMENT as NOTIFICATION_DOCUMENT } from '../../../src/notification-service/openapi';
import { ORDER_ACCESS_POLICY } from '../../../src/order-service/access-policy';
import { OPENAPI_DOCUMENT as ORDER_DOCUMENT } from '../../../src/order-service/openapi';

describe('access policies (which role each operation needs)', () => {
  it('leaves /health, /ready, /metrics and /docs open everywhere, and OPTIONS', () => {
    const policy = accessPolicy([]);
    for (const path of ['/health', '/ready', '/metrics', '/docs', '/docs/openapi.json', '/docs/swagger-ui.css']) expect(policy.requirementFor('GET', path), path).to.equal('open');
    expect(policy.requirementFor('OPTIONS', '/api/anything')).to.equal('open');
  });

  it('asks a reader for reads and a writer for any other method by default, and matches whole path segments only', () => {
    const policy = accessPolicy([{ prefix: '/api/dlq', needs: 'admin' }]);
    expect(policy.requirementFor('GET', '/api/orders')).to.equal('reader');
    expect(policy.requirementFor('head', '/api/orders')).to.equal('reader');
    expect(policy.requirementFor('DELETE', '/api/orders')).to.equal('writer');
    expect(policy.requirementFor('GET', '/api/dlq/order-events%2F0%2F1')).to.equal('admin');
    expect(policy.requirementFor('GET', '/api/dlqs')).to.equal('reader');
    expect(policy.requirementFor('GET', '/healthz')).to.equal('reader');
  });

  it('cart: writes need a writer in both dialects, reading an order a reader', () => {
    expect(CART_ACCESS_POLICY.requirementFor('POST', '/api/create-order')).to.equal('writer');
    expect(CART_ACCESS_POLICY.requirementFor('PUT', '/api/update-order')).to.equal('writer');
    expect(CART_ACCESS_POLICY.requirementFor('POST', '/create-order')).to.equal('writer');
    expect(CART_ACCESS_POLICY.requirementFor('PUT', '/update-order')).to.equal('writer');
    expect(CART_ACCESS_POLICY.requirementFor('GET', '/api/orders/A-1')).to.equal('reader');
  });

  it('order service: queries need a reader, the dead letters and operator APIs an admin, the console page nothing', () => {
    for (const path of ['/api/orders', '/api/orders/A/events', '/api/order-details', '/api/analytics/summary', '/api/getAllOrderIdsFromTopic', '/orders', '/order-details']) {
      expect(ORDER_ACCESS_POLICY.requirementFor('GET', path), path).to.equal('reader');
    }
    for (const [method, path] of [['GET', '/api/dlq'], ['GET', '/api/dlq/x'], ['POST', '/api/dlq/x/replay'], ['GET', '/api/schemas'], ['GET', '/api/consumer-lag']] as const) {
      expect(ORDER_ACCESS_POLICY.requirementFor(method, path), path).to.equal('admin');
    }
    for (const path of ['/console', '/console/', '/console/console.js', '/console/vendor/alpine.min.js']) expect(ORDER_ACCESS_POLICY.requirementFor('GET', path), path).to.equal('open');
  });

  it('matches paths whatever their case, as Express routes them: /API/DLQ still needs an admin', () => {
    for (const [method, path] of [['GET', '/API/DLQ'], ['GET', '/Api/Dlq/x'], ['POST', '/API/DLQ/x/REPLAY'], ['GET', '/API/SCHEMAS'], ['GET', '/Api/Consumer-Lag']] as const) {
      expect(ORDER_ACCESS_POLICY.requirementFor(method, path), path).to.equal('admin');
    }
    expect(INVENTORY_ACCESS_POLICY.requirementFor('PUT', '/API/Inventory/ITEM-1')).to.equal('writer');
    expect(CART_ACCESS_POLICY.requirementFor('POST', '/API/CREATE-ORDER')).to.equal('writer');
  });

  it('inventory: setting stock needs a writer, reading a reader; notifications: a reader', () => {
    expect(INVENTORY_ACCESS_POLICY.requirementFor('PUT', '/api/inventory/ITEM-1')).to.equal('writer');
    expect(INVENTORY_ACCESS_POLICY.requirementFor('GET', '/api/inventory/ITEM-1')).to.equal('reader');
    expect(INVENTORY_ACCESS_POLICY.requirementFor('GET', '/api/reservations/O-1')).to.equal('reader');
    expect(NOTIFICATION_ACCESS_POLICY.requirementFor('GET', '/api/notifications')).to.equal('reader');
  });

  describe('the OpenAPI documents', () => {
    const documents = { cart: CART_DOCUMENT, order: ORDER_DOCUMENT, inventory: INVENTORY_DOCUMENT, notification: NOTIFICATION_DOCUMENT };
    type Operation = { security?: unknown; responses: Record<string, { headers?: Record<string, { required?: boolean }> }>; 'x-required-role'?: string };
    type Document = { paths: Record<string, Record<string, Operation>>; components: { securitySchemes?: Record<string, { type: string; scheme: string }> } };

    for (const [service, document] of Object.entries(documents) as Array<[string, unknown]>) {
      it(`${service}: declares the bearer scheme, and on every protected operation the key (or none, in open mode), its role, 401 with WWW-Authenticate, 403, and 429 with Retry-After`, () => {
        const doc = document as Document;
        expect(doc.components.securitySchemes?.[SECURITY_SCHEME]).to.include({ type: 'http', scheme: 'bearer' });
        let protectedOperations = 0;
        for (const [path, item] of Object.entries(doc.paths)) {
          for (const [method, operation] of Object.entries(item)) {
            if (['/health', '/ready', '/metrics'].includes(path)) {
              expect(operation.security, `${method} ${path}`).to.equal(undefined);
              continue;
            }
            protectedOperations += 1;
            expect(operation.security, `${method} ${path}`).to.deep.equal([{ [SECURITY_SCHEME]: [] }, {}]);
            expect(operation['x-required-role'], `${method} ${path}`).to.be.oneOf(['reader', 'writer', 'admin']);
            expect(Object.keys(operation.responses), `${method} ${path}`).to.include.members(['401', '403', '429']);
            expect(operation.responses['401']?.headers?.['WWW-Authenticate']?.required).to.equal(true);
            expect(operation.responses['429']?.headers?.['Retry-After']?.required).to.equal(true);
          }
        }
        expect(protectedOperations).to.be.greaterThan(0);
      });
    }
  });
});
