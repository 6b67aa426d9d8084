// Job helpers: the status enumeration of the ttmnotify seed and ways to
// follow a job's status through its `updatejob` frames.

export const Status = Object.freeze({
  Unknown: 0,
  Running: 10,
  Starting: 11,
  Stopping: 12,
  Stopped: 13,
  FailedToStart: 14,
  Exited: 15,
  ExitedWithError: 16,
  Crashed: 17,
  KilledByWatchdog: 18,
});

/** Statuses after which a process is gone (until a restart or start). */
export const FINAL = new Set([
  Status.Stopped,
  Status.FailedToStart,
  Status.Exited,
  Status.ExitedWithError,
  Status.Crashed,
  Status.KilledByWatchdog,
]);

/** Predicate: an updatejob frame of `jobid`. */
export function updateOf(jobid) {
  return (m) => m.cmd === 'updatejob' && m.jobid === jobid;
}

/**
 * Takes `jobid`'s updatejob frames and returns their statuses, up to and
 * including the first one for which `until(status)` holds (default: a final
 * status). Each frame must be exactly {cmd, jobid, status}.
 */
export async function statusesUntil(client, jobid, { until = (s) => FINAL.has(s), timeoutMs = 10000, max = 50 } = {}) {
  const statuses = [];
  for (;;) {
    const frame = await client.next(updateOf(jobid), timeoutMs, `updatejob of job ${jobid} (so far ${JSON.stringify(statuses)})`);
    const keys = Object.keys(frame).sort().join(',');
    if (keys !== 'cmd,jobid,status') throw new Error(`updatejob frame with other fields: ${JSON.stringify(frame)}`);
    statuses.push(frame.status);
    if (until(frame.status)) return statuses;
    if (statuses.length >= max) throw new Error(`job ${jobid}: no end after ${max} status frames: ${JSON.stringify(statuses)}`);
  }
}

/** Takes exactly `count` status frames of `jobid`. */
export async function nextStatuses(client, jobid, count, timeoutMs = 10000) {
  let n = 0;
  return statusesUntil(client, jobid, { until: () => ++n >= count, timeoutMs });
}

/** True when a job snapshot shows no process (pid 0 or null). */
export function hasNoProcess(job) {
  return job.pid === 0 || job.pid === null;
}

/** A POST /api/jobs body; `command` is an argv list. */
export function jobBody(name, command, extra = {}) {
  return { name, command, restart: 'no', autostart: false, ...extra };
}
