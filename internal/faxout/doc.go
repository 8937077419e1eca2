// Package faxout sends faxes: it validates and queues submissions, runs
// every call as a River job on a trunk's Line, records each call as an
// attempt (the CDR row), classifies failures into causes, retries and fails
// over according to a policy, enforces channel caps with leases in the
// database and page limits with usage counters, and manages the trunks,
// caller IDs and fax settings those need.
//
// # Job chain
//
// A fax is a chain of fax_send jobs, one per call. Job (try, leg) may run
// only while the fax's NextTry/NextLeg name it; claiming it (one
// transaction: lock the fax row, take a channel lease, insert the attempt,
// mark the fax sending) and finishing it (one transaction: close the
// attempt, release the lease, update the fax, count usage, insert the next
// job if any) are atomic. So a job that runs twice (River retry, rescue of
// a stuck job, a second node) finds the step taken and does nothing, and a
// job exists for every fax that is not final.
//
// # Guarantees after a crash (kill -9, power loss, lost node)
//
//   - Nothing queued is lost: a fax and its first job are inserted in one
//     transaction; each later job in the transaction that schedules it.
//   - A call in progress when its node died leaves an open attempt whose
//     lease stops being renewed. Once the lease expires (Config.LeaseTTL,
//     30 s by default) the recovery job (fax_recover, every
//     Config.RecoverEvery) or the next run of the fax's job closes the
//     attempt as failed with cause "internal" and text "interrupted: ...",
//     and the retry policy applies: the fax is retried if tries remain,
//     else it fails. Its channels are free again when the lease expires.
//   - A delivered fax is never sent again: the worker re-reads the fax under
//     its row lock before every call and does nothing for a final fax. An
//     interrupted attempt whose far end had already confirmed every page
//     (progress is written as each page is confirmed) counts as delivered.
//     The one window left is a crash after the far end confirmed the last
//     page and before that confirmation reached the database (milliseconds):
//     the fax is then retried, and the recipient may get it twice. Being
//     "at least once" there is deliberate: the opposite choice would lose
//     faxes.
//   - A River job left "running" by a dead node is rescued by River once
//     both RescueStuckJobsAfter (RiverConfig: 2 min) and the job's call
//     budget (Config.CallTimeout + CallTimeoutPerPage × pages: 8 min for one
//     page by default) have passed, then finds its step taken and does
//     nothing. The one case where this delay matters: a node that dies
//     after fetching a job but before dialling (while it waits up to
//     CapacityWait for a channel) leaves that fax queued until the rescue.
//   - A node that cannot renew a call's lease (stalled, or cut off from the
//     database) for LeaseTTL hangs the call up itself; a renewal never
//     revives an expired lease. Recovery elsewhere may then retry the fax:
//     a node stalled for longer than LeaseTTL loses its calls.
//
// # Page limits
//
// Submit counts, under the tenant's row lock (PostgreSQL) or the write
// lock (SQLite), the pages delivered today and this month (usage counters,
// UTC) plus the pages of the tenant's faxes not yet final, and refuses a
// fax that would pass a limit. Delivered faxes add their confirmed pages
// to the counters in the transaction that marks them delivered; failed
// and canceled faxes count nothing.
package faxout
