import { expect } from 'chai';
import { loadConfig } from '../../../src/config';

describe('configuration', () => {
  it('reads durations with a unit, and refuses a dedup window under a day, naming the setting', () => {
    expect(loadConfig({}, { DEDUP_WINDOW: '7d' }).DEDUP_WINDOW).to.equal(7 * 86_400);
    expect(loadConfig({}, { DEDUP_WINDOW: '36h' }).DEDUP_WINDOW).to.equal(36 * 3_600);
    expect(() => loadConfig({}, { DEDUP_WINDOW: '1h' })).to.throw(/DEDUP_WINDOW.*at least 1d/s);
    expect(() => loadConfig({}, { DEDUP_WINDOW: 'soon' })).to.throw(/DEDUP_WINDOW/);
  });
});
