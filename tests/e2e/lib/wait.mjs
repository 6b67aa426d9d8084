// Waiting for a condition that has no notification of its own (a job's
// captured output lines): the condition is checked repeatedly until it holds
// or a deadline passes. This is a bounded wait for a fact, never a fixed
// sleep standing in for one.

import { setTimeout as delay } from 'node:timers/promises';

/**
 * Calls `probe` until it returns a value other than undefined/false and
 * resolves with it; after `timeoutMs` rejects with `describe(lastValue)`.
 */
export async function eventually(probe, { timeoutMs = 5000, intervalMs = 25, describe = (v) => JSON.stringify(v) } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await probe();
    if (last !== undefined && last !== false && !(last && last.__notYet)) return last;
    if (Date.now() >= deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last seen: ${describe(last && last.__notYet ? last.value : last)}`);
    await delay(intervalMs);
  }
}

/** A probe result that means "not yet" but keeps `value` for the message. */
export function notYet(value) {
  return { __notYet: true, value };
}
