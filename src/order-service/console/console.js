// @ts-check
/**
 * The operator console: one Alpine.js component over the order service's own API (same origin),
 * charts drawn by Chart.js. Type-checked by TypeScript through JSDoc (see tsconfig.json here).
 */

/** @typedef {{ orderId: string; customerId: string; status: string; totalAmount: string; currency: string; orderDate: string; updatedAt: string }} OrderSummary */
/** @typedef {OrderSummary & { shippingCost: string; items: Array<{ itemId: string; quantity: number; price: string }> }} OrderDetails */
/** @typedef {{ eventId: string | null; eventType: string | null; status: string | null; outcome: string; reason: string | null; topic: string; partition: number; offset: string; occurredAt: string; recordedAt: string }} TimelineEvent */
/** @typedef {{ replayedBy: string; startedAt: string; replayedAt: string | null; partition: number | null; offset: string | null }} Replay */
/** @typedef {{ recordId: string; deadLetteredAt: string; errorCode: string | null; errorMessage: string | null; eventType: string | null; key: string | null; headers: Record<string, string | string[]>; value: { bytes: number; decoded: unknown; decodeError: string | null }; replay: Replay | null }} DeadLetter */
/** @typedef {{ subject: string; eventType: string; compatibility: string | null; versions: Array<{ version: number; id: number | null }> }} Subject */
/** @typedef {{ partition: number; committedOffset: string | null; endOffset: string; lag: number }} PartitionLag */

/** The lifecycle's statuses, for the filter. */
const STATUSES = ['pending', 'confirmed', 'paid', 'processing', 'shipped', 'delivered', 'cancelled'];

/**
 * Chart.js instances by canvas id. Kept outside Alpine's reactive state: Chart.js mutates its
 * objects in place, which a reactive proxy would turn into endless re-renders.
 * @type {Map<string, import('chart.js').Chart>}
 */
const charts = new Map();

/** Where the page keeps the API key: this tab only, gone when it closes. */
const KEY_STORAGE = 'orderflow.apiKey';

/** The API key the operator gave, or '' (none needed while the service runs open, without keys). */
function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

/** A failure answer of the API, with its status: 401 and 403 ask for another key. */
class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * GETs or POSTs `path` of the API (with the API key as Bearer, when one is stored) and returns the
 * envelope's data; a failure answer throws an ApiError with its message.
 * @template T
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<T>}
 */
async function api(path, init) {
  const key = storedKey();
  const headers = { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}), ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const response = await fetch(path, { headers, ...init });
  const body = await response.json().catch(() => ({ message: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new ApiError(response.status, body.message ?? `${response.status} ${response.statusText}`);
  return body.data;
}

/**
 * Draws (or redraws) a chart on the canvas `id`.
 * @param {string} id
 * @param {import('chart.js').ChartConfiguration} config
 */
function draw(id, config) {
  charts.get(id)?.destroy();
  const canvas = /** @type {HTMLCanvasElement | null} */ (document.getElementById(id));
  if (canvas) charts.set(id, new Chart(canvas, config));
}

document.addEventListener('alpine:init', () => {
  Alpine.data('operatorConsole', () => ({
    tabs: [
      { view: 'orders', label: 'Orders' },
      { view: 'dlq', label: 'Dead letters' },
      { view: 'schemas', label: 'Schemas' },
      { view: 'analytics', label: 'Analytics' },
      { view: 'lag', label: 'Consumer lag' },
    ],
    statuses: STATUSES,
    view: 'orders',
    /** The last failure, shown until the next action succeeds. */
    failure: '',
    /** The API key form: shown once the API asked for a key (401) or refused this one (403), or while one is stored. */
    auth: { input: '', needed: false, saved: storedKey() !== '' },
    orders: /** @type {{ status: string; page: number; pageSize: number; total: number; rows: OrderSummary[] }} */ ({ status: '', page: 1, pageSize: 20, total: 0, rows: [] }),
    /** The order opened from the list (`opened`, not `order`: expressions inside the list's rows see the row as `row`). */
    opened: /** @type {{ details: OrderDetails | null; timeline: TimelineEvent[] }} */ ({ details: null, timeline: [] }),
    dlq: /** @type {{ replayed: string; page: number; pageSize: number; total: number; rows: DeadLetter[]; inspected: DeadLetter | null; operator: string }} */ ({
      replayed: '',
      page: 1,
      pageSize: 20,
      total: 0,
      rows: [],
      inspected: null,
      operator: '',
    }),
    schemas: /** @type {{ registryUrl: string; globalCompatibility: string | null; subjects: Subject[] }} */ ({ registryUrl: '', globalCompatibility: null, subjects: [] }),
    analytics: { totals: '' },
    lag: /** @type {{ topic: string; groupId: string; total: number; partitions: PartitionLag[] }} */ ({ topic: '', groupId: '', total: 0, partitions: [] }),

    /** @param {string} view */
    async open(view) {
      this.view = view;
      const loaders = { orders: () => this.loadOrders(), dlq: () => this.loadDeadLetters(), schemas: () => this.loadSchemas(), analytics: () => this.loadAnalytics(), lag: () => this.loadLag() };
      await /** @type {Record<string, () => Promise<void>>} */ (loaders)[view]?.();
    },

    /**
     * Runs `work`, showing its failure instead of losing it; resolves whether it succeeded.
     * @param {() => Promise<void>} work
     * @returns {Promise<boolean>}
     */
    async attempt(work) {
      try {
        await work();
        this.failure = '';
        return true;
      } catch (error) {
        this.failure = error instanceof Error ? error.message : String(error);
        if (error instanceof ApiError && error.status === 401) {
          this.auth.needed = true;
          this.failure = this.auth.saved
            ? `The API refused this API key (unknown, revoked or mistyped): enter another one. (${error.message})`
            : 'The API needs an API key: enter one below (it is kept in this browser tab only).';
        } else if (error instanceof ApiError && error.status === 403) {
          this.auth.needed = true;
          this.failure = `This API key may not do this; enter a key with more rights. (${error.message})`;
        }
        return false;
      }
    },

    /** Keeps the key entered for this tab and reloads the view with it. */
    async useKey() {
      const key = this.auth.input.trim();
      if (!key) return;
      sessionStorage.setItem(KEY_STORAGE, key);
      this.auth = { input: '', needed: false, saved: true };
      await this.open(this.view === 'order' ? 'orders' : this.view);
    },

    /** Drops the stored key (the API then answers as it does to anyone without one). */
    forgetKey() {
      sessionStorage.removeItem(KEY_STORAGE);
      this.auth = { input: '', needed: false, saved: false };
    },

    async loadOrders() {
      await this.attempt(async () => {
        const query = new URLSearchParams({ page: String(this.orders.page), pageSize: String(this.orders.pageSize) });
        if (this.orders.status) query.set('status', this.orders.status);
        /** @type {{ orders: OrderSummary[]; total: number }} */
        const page = await api(`../api/orders?${query}`);
        this.orders.rows = page.orders;
        this.orders.total = page.total;
      });
    },

    /** @param {string} orderId */
    async openOrder(orderId) {
      this.view = 'order';
      this.opened = { details: null, timeline: [] };
      await this.attempt(async () => {
        const path = encodeURIComponent(orderId);
        /** @type {[OrderDetails, { events: TimelineEvent[] }]} */
        const [details, timeline] = await Promise.all([api(`../api/orders/${path}`), api(`../api/orders/${path}/events`)]);
        this.opened = { details, timeline: timeline.events };
      });
    },

    async loadDeadLetters() {
      await this.attempt(async () => {
        const query = new URLSearchParams({ page: String(this.dlq.page), pageSize: String(this.dlq.pageSize) });
        if (this.dlq.replayed) query.set('replayed', this.dlq.replayed);
        /** @type {{ deadLetters: DeadLetter[]; total: number }} */
        const page = await api(`../api/dlq?${query}`);
        this.dlq.rows = page.deadLetters;
        this.dlq.total = page.total;
      });
    },

    /** @param {string} recordId */
    async inspect(recordId) {
      await this.attempt(async () => {
        this.dlq.inspected = await api(`../api/dlq/${encodeURIComponent(recordId)}`);
      });
    },

    /** @param {string} recordId */
    async replay(recordId) {
      const replayed = await this.attempt(async () => {
        this.dlq.inspected = await api(`../api/dlq/${encodeURIComponent(recordId)}/replay`, { method: 'POST', body: JSON.stringify({ operator: this.dlq.operator.trim() }) });
      });
      // Only after a replay: reloading after a refusal would clear the failure before anyone read it.
      if (replayed) await this.loadDeadLetters();
    },

    async loadSchemas() {
      await this.attempt(async () => {
        this.schemas = await api('../api/schemas');
      });
    },

    async loadAnalytics() {
      await this.attempt(async () => {
        /** @type {[{ minutes: Array<{ minute: string; orders: number }> }, { products: Array<{ itemId: string; unitsSold: number }> }, { totalOrders: number; ordersByStatus: Record<string, number>; revenueByCurrency: Record<string, string> }]} */
        const [perMinute, top, summary] = await Promise.all([api('../api/analytics/orders-per-minute'), api('../api/analytics/top-products?limit=10'), api('../api/analytics/summary')]);
        const byStatus = Object.entries(summary.ordersByStatus).map(([status, count]) => `${count} ${status}`).join(', ');
        this.analytics.totals = `${summary.totalOrders} orders${byStatus ? ` (${byStatus})` : ''}`;
        draw('chart-orders-per-minute', {
          type: 'line',
          data: { labels: perMinute.minutes.map((minute) => minute.minute.slice(11, 16)), datasets: [{ label: 'orders', data: perMinute.minutes.map((minute) => minute.orders), tension: 0.2 }] },
          options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
        });
        draw('chart-top-products', {
          type: 'bar',
          data: { labels: top.products.map((product) => product.itemId), datasets: [{ label: 'units sold', data: top.products.map((product) => product.unitsSold) }] },
          options: { animation: false, indexAxis: 'y' },
        });
        const currencies = Object.keys(summary.revenueByCurrency);
        draw('chart-revenue', {
          type: 'bar',
          // Chart.js plots numbers; the exact amounts stay in the API and in each bar's label.
          data: { labels: currencies.map((currency) => `${currency} ${summary.revenueByCurrency[currency]}`), datasets: [{ label: 'revenue (not cancelled)', data: currencies.map((currency) => Number(summary.revenueByCurrency[currency])) }] },
          options: { animation: false },
        });
      });
    },

    async loadLag() {
      await this.attempt(async () => {
        this.lag = await api('../api/consumer-lag');
      });
    },

    /**
     * Pages needed for `total` rows, at least 1.
     * @param {number} total
     * @param {number} pageSize
     */
    pages(total, pageSize) {
      return Math.max(1, Math.ceil(total / pageSize));
    },

    /**
     * An instant as local date and time, to the second.
     * @param {string} iso
     */
    when(iso) {
      return new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' });
    },
  }));
});
