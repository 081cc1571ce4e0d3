import { expect } from 'chai';
import { signWebhook, webhookHeaders } from '../../../src/notification-service';

const SECRET = 'orderflow-webhook-secret';

describe('webhook signature', () => {
  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<body>" keyed by the secret (the value openssl gives)', () => {
    // printf '%s' '1767225600.{"id":"n-1"}' | openssl dgst -sha256 -hmac 'orderflow-webhook-secret'
    expect(signWebhook(SECRET, 1_767_225_600, '{"id":"n-1"}')).to.equal('sha256=dca442c07aa5925dc1234b78192cb9ca8344e77c2cb0b8ae88e289a7fe0cb04c');
  });

  it('changes with the timestamp, the body and the secret, so none can be swapped under an old signature', () => {
    const signature = signWebhook(SECRET, 1_767_225_600, '{"id":"n-1"}');
    expect(signWebhook(SECRET, 1_767_225_601, '{"id":"n-1"}')).to.not.equal(signature);
    expect(signWebhook(SECRET, 1_767_225_600, '{"id":"n-2"}')).to.not.equal(signature);
    expect(signWebhook(`${SECRET}!`, 1_767_225_600, '{"id":"n-1"}')).to.not.equal(signature);
  });

  it('signs a non-ASCII body as its UTF-8 bytes, as a receiver reading the raw bytes sees them', () => {
    // printf '%s' '1.{"message":"Bestellung für Müller"}' | openssl dgst -sha256 -hmac 'orderflow-webhook-secret' (a UTF-8 terminal)
    expect(signWebhook(SECRET, 1, '{"message":"Bestellung für Müller"}')).to.equal('sha256=e5482644be5dc5a96ba623d2a66855f32b3f19c4c80978e270fe047a669d6f23');
  });

  it('sends the timestamp in whole Unix seconds, the notification id, JSON, and the signature over that timestamp', () => {
    const headers = webhookHeaders({ secret: SECRET, id: 'n-1', body: '{"id":"n-1"}', now: new Date('2026-01-01T00:00:00.900Z') });
    expect(headers).to.deep.equal({
      'content-type': 'application/json',
      'X-Orderflow-Signature': 'sha256=dca442c07aa5925dc1234b78192cb9ca8344e77c2cb0b8ae88e289a7fe0cb04c',
      'X-Orderflow-Timestamp': '1767225600',
      'X-Orderflow-Notification-Id': 'n-1',
    });
  });
});
