import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { CONFIG_DOCS } from '../../../src/config';

const README = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
const CI_RUN = readFileSync(join(__dirname, '..', '..', '..', '.ci', 'run'), 'utf8');

describe('README', () => {
  it('documents every configuration setting with its default and doc string', () => {
    for (const { key, doc, default: fallback } of CONFIG_DOCS) {
      // An empty default (a setting off until set) shows as (empty): an empty code span would not render.
      const shown = fallback === '' ? '(empty)' : `\`${fallback}\``;
      expect(README, key).to.include(`| \`${key}\` | ${shown} | ${doc} |`);
    }
  });

  it('opens with the start command and the test command that CI runs', () => {
    const firstBlock = README.split('```bash')[1]?.split('```')[0] ?? '';
    const commands = firstBlock.trim().split('\n').map((line) => line.split('#')[0]!.trim());
    expect(commands).to.deep.equal(['npm ci && npm start', 'npm ci && npm test']);
    expect(CI_RUN.trim().split('\n').at(-1)).to.equal(commands[1]);
  });
});
