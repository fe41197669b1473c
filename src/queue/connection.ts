/**
 * The connection to the job queue: a BullMQ queue on a Redis server, named by a `redis://` or
 * `rediss://` URL. Opening checks that the server answers, so a wrong URL fails at once with
 * its reason instead of waiting for a server that never comes.
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';

/** The BullMQ queue trustser uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'trustser';
/** How long opening waits for the Redis server to answer, ms. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Checks a queue URL (`redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS) and
 * returns it; the error names `flag` and what is wrong.
 */
export function checkQueueUrl(url: string, flag = '--queue'): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${flag}: '${url}' is not a URL (expected redis://HOST:PORT)`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`${flag}: '${url}' is not a Redis URL (expected redis://HOST:PORT or rediss://HOST:PORT)`);
  if (u.hostname === '') throw new Error(`${flag}: '${url}' names no host`);
  if (u.pathname !== '' && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname))
    throw new Error(`${flag}: '${url}': the path must be a database number (e.g. redis://HOST:6379/0)`);
  return url;
}

/** Fails with the server's URL and the reason unless a Redis server answers at `url`. */
export async function pingRedis(url: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: CONNECT_TIMEOUT_MS });
  r.on('error', () => {}); // reported by connect() below
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(`cannot reach the queue at ${url}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    r.disconnect();
  }
}

/** An open queue: jobs are added through `queue`, their outcomes arrive through `events`. */
export interface QueueConnection {
  url: string;
  name: string;
  queue: Queue;
  events: QueueEvents;
  close(): Promise<void>;
}

/** Opens the queue `name` on the Redis server at `url` (checked first; see {@link checkQueueUrl}). */
export async function openQueue(url: string, o: { name?: string } = {}): Promise<QueueConnection> {
  checkQueueUrl(url);
  await pingRedis(url);
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue(name, { connection: { url } });
  const events = new QueueEvents(name, { connection: { url } });
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return {
    url,
    name,
    queue,
    events,
    close: async () => {
      await Promise.all([events.close(), queue.close()]);
    },
  };
}
