import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { aptInstall } from '../../scripts/stack/apt';

/** Debian's Chromium; playwright-core drives it (no browser is downloaded). */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium keeps calling Google's hosts, which this
 * kind of machine refuses; --no-sandbox because tests may run as root.
 */
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches headless Chromium, installing Debian's package first when it is missing (as root or with passwordless sudo). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) aptInstall(['chromium'], 'browser tests');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}
