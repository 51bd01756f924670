/**
 * The jobs table: a step of the database's migrations (see ../db/migrations.ts).
 * Once shipped, never edit it; change the schema with a new step.
 */
import type { Migration } from '../db/migration'

export const jobTables: Migration = {
  name: 'jobs of the job runner',
  up: (db) =>
    db.exec(`
        -- seq orders jobs by when they were added (the queues are first in,
        -- first out); declared so VACUUM can never renumber it.
        CREATE TABLE jobs (
          seq              INTEGER PRIMARY KEY,
          id               TEXT NOT NULL UNIQUE,
          kind             TEXT NOT NULL,
          queue            TEXT NOT NULL,
          state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'waiting', 'saved', 'failed', 'cancelled')),
          progress         REAL CHECK (progress IS NULL OR (progress >= 0 AND progress <= 1)),
          detail           TEXT,
          -- 1 for the first run; a retry by the person adds one.
          attempts         INTEGER NOT NULL DEFAULT 1,
          -- Rate-limit waits of this attempt: not failures, but not endless either.
          rate_limit_waits INTEGER NOT NULL DEFAULT 0,
          input_json       TEXT NOT NULL,
          -- What a kind saved to carry on from after a restart or a poll (a task id, parts done).
          checkpoint_json  TEXT,
          result_json      TEXT,
          error_json       TEXT,
          group_id         TEXT,
          created_at       INTEGER NOT NULL,
          updated_at       INTEGER NOT NULL,
          -- Not before then (a poll's next look, the end of a rate-limit pause); NULL: as soon as the queue allows.
          run_at           INTEGER,
          finished_at      INTEGER
        ) STRICT;
        -- The scheduler's reads: what each queue has to run, in order, and how
        -- much waits. Whole indexes, not partial ones: SQLite uses a partial
        -- index only when the query repeats its condition word for word.
        CREATE INDEX jobs_by_state ON jobs (state, queue, seq);
        -- The one timer's next wake: the earliest run time of a job not running.
        CREATE INDEX jobs_next_run ON jobs (state, run_at);
        CREATE INDEX jobs_group ON jobs (group_id, seq) WHERE group_id IS NOT NULL;
      `)
}
