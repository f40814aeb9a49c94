export {
  DIGEST_ITEMS_MAX,
  type DigestContent,
  type DigestEvent,
  type DigestSubject,
  digestEntries,
  digestEvents,
  digestItem,
  digestKey,
  digestNotification,
  digestOutboxId,
  routeEvents,
} from './digest-notification.js';
export {
  DIGEST_LOOKBACK_MS,
  DIGEST_SETTLE_MS,
  DigestQueue,
  type DigestQueueOptions,
} from './digest-queue.js';
export { matchedRouteIndices, notifiedDetails } from './routes.js';
export { type DigestWindow, dueWindows, windowOf } from './window.js';
