import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Decimal from 'decimal.js';
import { loadConfig } from '../../src/config';
import { createRegistryClient, type RegistryClient } from '../../src/lib/registry';
import { waitFor } from '../helpers/wait-for';
import { freeLoopbackPort } from '../helpers/ports';

/** Shared pieces of the schema contract tests; they talk to the real registry of the stack. */

export const ROOT = path.resolve(__dirname, '../..');
export const SCHEMAS_DIR = path.join(ROOT, 'schemas');
export const INCOMPATIBLE_FIXTURES = path.join(ROOT, 'test/fixtures/schemas-incompatible');

/** The registry under test: SCHEMA_REGISTRY_URL, or the local stack's Apicurio. */
export const REGISTRY_URL = loadConfig().SCHEMA_REGISTRY_URL;

/** A topic no other test uses, so its subjects are fresh. */
export function randomTopic(): string {
  return `contract-${randomBytes(5).toString('hex')}`;
}

/** Waits until the registry answers (it may still be starting), or fails saying how to start it. */
export async function registryReady(): Promise<RegistryClient> {
  const client = createRegistryClient({ baseUrl: REGISTRY_URL, timeoutMs: 2_000 });
  await waitFor(
    async () => {
      await client.versions('contract-readiness-probe');
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `the schema registry at ${REGISTRY_URL} (start it: npm run stack:up)` },
  );
  return client;
}

/** A URL on which nothing listens: a port just bound and released. */
export async function unreachableRegistryUrl(): Promise<string> {
  return `http://127.0.0.1:${await freeLoopbackPort()}/apis/ccompat/v7`;
}

/** A copy of schemas/ with the given fixture overlays (folders of extra versions) on top. */
export function schemasWith(...overlays: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'orderflow-schemas-'));
  cpSync(SCHEMAS_DIR, dir, { recursive: true });
  for (const overlay of overlays) cpSync(path.join(INCOMPATIBLE_FIXTURES, overlay), dir, { recursive: true });
  return dir;
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run schemas:register -- <args>` as a child process (through tsx, without npm's noise). */
export function runRegisterScript(args: string[]): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'scripts/schemas/register.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A real HTTP proxy in front of the registry that counts requests by path (how many origin
 * requests the serde makes) and can simulate an outage (answers 503) — the registry itself
 * is never mocked.
 */
export async function countingProxy(
  target: string,
): Promise<{ url: string; count(pathPart: string): number; outage(on: boolean): void; close(): Promise<void> }> {
  const base = new URL(target);
  const seen: string[] = [];
  let down = false;
  const server = http.createServer((request, response) => {
    seen.push(request.url ?? '');
    if (down) {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code":50301,"message":"registry outage (test)"}');
      return;
    }
    const upstream = http.request(
      { host: base.hostname, port: base.port, path: request.url, method: request.method, headers: { ...request.headers, host: base.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // The proxy forwards paths as they come, so it serves the same base path as the target.
    url: `http://127.0.0.1:${port}${base.pathname.replace(/\/$/, '')}`,
    count: (pathPart) => seen.filter((url) => url.includes(pathPart)).length,
    outage: (on) => {
      down = on;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const EVENT_ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

/**
 * One meaningful record per schema version, keyed `<Record>/v<N>`. The history test fails for
 * a version without a sample, so every new version gets one.
 */
export const SAMPLES: Readonly<Record<string, Record<string, unknown>>> = {
  'OrderCreated/v1': {
    eventId: EVENT_ID,
    occurredAt: new Date('2024-05-01T12:00:00.123Z'),
    order: {
      orderId: 'ORDER-001',
      customerId: 'CUST-42',
      orderDate: new Date('2024-05-01T11:58:30.000Z'),
      items: [
        { itemId: 'SKU-1', quantity: 2, price: new Decimal('19.99') },
        { itemId: 'SKU-2', quantity: 1, price: new Decimal('1.28') },
      ],
      totalAmount: new Decimal('41.26'),
      currency: 'EUR',
      status: 'pending',
    },
  },
  'OrderCreated/v2': {
    eventId: '5f0c8a52-1c1e-4c1a-9a55-2f1e0b3c4d5e',
    occurredAt: new Date('2024-06-02T08:30:00.000Z'),
    order: {
      orderId: 'ORDER-002',
      customerId: 'CUST-7',
      orderDate: new Date('2024-06-02T08:29:59.999Z'),
      items: [{ itemId: 'SKU-9', quantity: 3, price: new Decimal('9999.99') }],
      totalAmount: new Decimal('29999.97'),
      currency: 'JPY',
      status: 'confirmed',
      salesChannel: 'mobile',
    },
  },
  'OrderCreated/v3': {
    eventId: '7c1d9b3e-2a4f-4b6c-8d0e-1f2a3b4c5d6e',
    occurredAt: new Date('2026-12-02T09:15:00.000Z'),
    order: {
      orderId: 'ORDER-003',
      customerId: 'CUST-8',
      orderDate: new Date('2026-12-02T09:14:00.000Z'),
      items: [{ itemId: 'SKU-3', quantity: 1, price: new Decimal('12.50') }],
      totalAmount: new Decimal('12.50'),
      currency: 'USD',
      // The symbol v3 added: a v2 reader sees the enum's default, unknown.
      status: 'processing',
      salesChannel: 'marketplace',
    },
  },
  'OrderStatusUpdated/v1': {
    eventId: '0a9e2f6c-7d4b-4e8a-b1c3-5d6e7f809112',
    occurredAt: new Date('2024-05-01T13:00:00.000Z'),
    orderId: 'ORDER-001',
    status: 'paid',
    previousStatus: 'confirmed',
  },
  'OrderStatusUpdated/v2': {
    eventId: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
    occurredAt: new Date('2026-12-02T10:00:00.000Z'),
    orderId: 'ORDER-003',
    status: 'processing',
    previousStatus: 'paid',
  },
  'InventoryReserved/v1': {
    eventId: '6b1f0e2d-3c4a-4d5b-9e6f-7a8b9c0d1e2f',
    occurredAt: new Date('2026-12-02T11:00:00.000Z'),
    orderId: 'ORDER-004',
    causationEventId: EVENT_ID,
    items: [
      { itemId: 'SKU-1', quantity: 3 },
      { itemId: 'SKU-2', quantity: 1 },
    ],
  },
  'InventoryRejected/v1': {
    eventId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f',
    occurredAt: new Date('2026-12-02T11:00:01.000Z'),
    orderId: 'ORDER-005',
    causationEventId: '5f0c8a52-1c1e-4c1a-9a55-2f1e0b3c4d5e',
    shortItems: [{ itemId: 'SKU-9', requested: 3, available: 0 }],
  },
  'InventoryReleased/v1': {
    eventId: '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60',
    occurredAt: new Date('2026-12-02T11:05:00.000Z'),
    orderId: 'ORDER-004',
    causationEventId: '0a9e2f6c-7d4b-4e8a-b1c3-5d6e7f809112',
    items: [{ itemId: 'SKU-1', quantity: 3 }],
  },
  'InventoryCommitted/v1': {
    eventId: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6c8',
    occurredAt: new Date('2026-12-02T11:10:00.000Z'),
    orderId: 'ORDER-006',
    causationEventId: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
    items: [{ itemId: 'SKU-2', quantity: 2 }],
  },
};

/** Makes decoded values comparable with deep equality: Decimals as fixed strings, Dates as ISO. */
export function plain(value: unknown): unknown {
  if (Decimal.isDecimal(value)) return `decimal:${value.toFixed()}`;
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  return value;
}
