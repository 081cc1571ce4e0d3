import { request, type Agent } from 'node:http';

export interface HttpRequestOptions {
  method?: 'GET' | 'POST';
  /** A JSON text, sent as application/json. */
  json?: string;
  /** A keep-alive agent for request streams; without one each request opens its own connection. */
  agent?: Agent;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * One plain HTTP request; resolves with the response status once the body has been read (so a
 * keep-alive connection is free again), rejects on a network error or after `timeoutMs`.
 * node:http rather than fetch: it costs the load generator less CPU per request, and the bench
 * shares two cores with the servers it measures.
 */
export function httpRequest(url: string, { method = 'GET', json, agent, timeoutMs = DEFAULT_TIMEOUT_MS }: HttpRequestOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = json === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) };
    const outgoing = request(url, { method, headers, agent: agent ?? false }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    });
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer from ${method} ${url} within ${timeoutMs} ms`)));
    outgoing.once('error', reject);
    outgoing.end(json);
  });
}

/** True for 200..299. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
