// A queue of received items (frames, notifications, events) with waiting
// by predicate: every test client (ttmnotify WebSockets, the realdds
// mirror and DDS reader) queues what arrives the moment it arrives, and a
// test takes what it expects with a deadline. There are no sleeps: a wait
// ends when a matching item arrives, when the source ends, or when its
// deadline passes, with everything received in the failure message.

export const DEFAULT_TIMEOUT_MS = 5000;

/** The last `max` items as text (`show` maps an item to what JSON can print). */
export function preview(items, show = (x) => x, max = 40) {
  const cut = (text) => (text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
  const shown = items
    .slice(-max)
    .map((m) => cut(JSON.stringify(show(m))))
    .join('\n  ');
  const skipped = items.length > max ? `  (${items.length - max} earlier not shown)\n` : '';
  return `${skipped}  ${shown || '(nothing)'}`;
}

function describePredicate(predicate, description) {
  if (description) return description;
  if (typeof predicate === 'object') return JSON.stringify(predicate);
  return predicate.toString();
}

/**
 * A predicate from a partial item: {cmd:'dbchange', key:'k'} matches items
 * whose listed fields are equal. Functions are used as they are.
 */
export function matcher(predicate) {
  if (typeof predicate === 'function') return predicate;
  return (msg) => Object.entries(predicate).every(([k, v]) => msg[k] === v);
}

/**
 * Received items, queued the moment they arrive. `show` maps an item to
 * what failure messages print (e.g. BigInts made printable).
 */
export class Inbox {
  constructor(label, { show = (x) => x } = {}) {
    this.label = label;
    this.show = show;
    this.queue = [];
    this.history = [];
    this.violations = [];
    this.waiters = [];
    this.arrival = new WeakMap();
    this.received = 0;
    this.endReason = null;
  }

  push(item) {
    this.arrival.set(item, this.received++);
    this.history.push(item);
    this.queue.push(item);
    for (const w of [...this.waiters]) {
      const i = this.queue.findIndex(w.predicate);
      if (i >= 0) {
        const [taken] = this.queue.splice(i, 1);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.done(taken);
      }
    }
  }

  violation(v, reason = 'protocol violation') {
    this.violations.push(v);
    for (const w of this.waiters.splice(0)) w.fail(reason);
  }

  end(reason) {
    this.endReason = reason;
    for (const w of this.waiters.splice(0)) w.fail(reason);
  }

  failureText(what, timeoutMs, reason) {
    return (
      `[${this.label}] ${reason} while waiting ${timeoutMs} ms for ${what}\n` +
      `received:\n${preview(this.history, this.show)}\n` +
      (this.violations.length ? `protocol violations:\n${preview(this.violations, this.show)}\n` : '') +
      `still queued (not taken):\n${preview(this.queue, this.show)}`
    );
  }

  /** Takes the first queued item matching `predicate`, waiting up to `timeoutMs`. */
  next(predicate = () => true, timeoutMs = DEFAULT_TIMEOUT_MS, description) {
    const test = matcher(predicate);
    const what = describePredicate(predicate, description);
    return new Promise((resolve, reject) => {
      if (this.violations.length) {
        reject(new Error(this.failureText(what, timeoutMs, 'protocol violation')));
        return;
      }
      const i = this.queue.findIndex(test);
      if (i >= 0) {
        resolve(this.queue.splice(i, 1)[0]);
        return;
      }
      if (this.endReason) {
        reject(new Error(this.failureText(what, timeoutMs, this.endReason)));
        return;
      }
      const waiter = {
        predicate: test,
        done: (item) => {
          clearTimeout(waiter.timer);
          resolve(item);
        },
        fail: (reason) => {
          clearTimeout(waiter.timer);
          reject(new Error(this.failureText(what, timeoutMs, reason)));
        },
      };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.fail('timed out');
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Like next(), and drops every queued item that arrived before the match. */
  async skipTo(predicate, timeoutMs = DEFAULT_TIMEOUT_MS, description) {
    const item = await this.next(predicate, timeoutMs, description);
    const at = this.arrival.get(item);
    this.queue = this.queue.filter((m) => this.arrival.get(m) > at);
    return item;
  }

  /**
   * Resolves with the first item ever received that matches (taken or
   * not), waiting up to `timeoutMs` when none has arrived yet; unlike
   * next() it leaves the queue as it is.
   */
  seen(predicate, timeoutMs = DEFAULT_TIMEOUT_MS, description) {
    const test = matcher(predicate);
    const old = this.history.find(test);
    if (old !== undefined) return Promise.resolve(old);
    return this.next(predicate, timeoutMs, description).then((item) => {
      // Put it back where it was: seen() does not take.
      this.queue.unshift(item);
      this.queue.sort((a, b) => this.arrival.get(a) - this.arrival.get(b));
      return item;
    });
  }

  /** Drops everything queued (what follows starts now). */
  drain() {
    this.queue = [];
  }
}
