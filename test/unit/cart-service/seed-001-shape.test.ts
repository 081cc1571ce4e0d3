import { expect } from 'chai';
import { errorAnswer, pendingAnswer, successAnswer } from '../../../src/cart-service/answers';
import { CREATED, UPDATED, inSeedShape } from '../../../src/cart-service/seed-001-dialect';
import { AppError } from '../../../src/errors';

describe("seed 001's answer shape", () => {
  const created = successAnswer(201, 'order ORD-123 created', { orderId: 'ORD-123', status: 'pending' });

  it('turns a 201 or 200 into 200 { message, orderId } with the seed\'s own words', () => {
    expect(inSeedShape(created, CREATED)).to.deep.equal({ status: 200, body: { message: 'order created and published successfully', orderId: 'ORD-123' } });
    const updated = successAnswer(200, 'order ORD-123 is now confirmed', { orderId: 'ORD-123', status: 'confirmed' });
    expect(inSeedShape(updated, UPDATED)).to.deep.equal({ status: 200, body: { message: 'order status updated and published successfully', orderId: 'ORD-123' } });
  });

  it('keeps a 202 a 202, saying whether the event is pending or held, never "published successfully"', () => {
    expect(inSeedShape(pendingAnswer(created, 'pending'), CREATED)).to.deep.equal({
      status: 202,
      body: { message: CREATED.pending, orderId: 'ORD-123', publication: 'pending' },
    });
    const held = inSeedShape(pendingAnswer(created, 'held'), CREATED);
    expect(held).to.deep.equal({ status: 202, body: { message: CREATED.held, orderId: 'ORD-123', publication: 'held' } });
  });

  it('passes refusals through with their status and error envelope', () => {
    const refusal = errorAnswer(new AppError('CONFLICT', "order 'ORD-123' already exists"));
    expect(inSeedShape(refusal, CREATED)).to.deep.equal(refusal);
  });
});
