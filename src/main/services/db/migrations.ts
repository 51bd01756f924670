/**
 * The schema of skyport.db, as an ordered list of forward migrations: each
 * feature keeps its tables' steps beside its own code, and this list says in
 * which order they run.
 *
 * `PRAGMA user_version` records how many have run. Append new steps at the
 * end and never edit or reorder one that has shipped: a person's file may be
 * at any earlier version, and each step is run exactly once, in order, inside
 * the same transaction as the version bump.
 */
import { chatTables } from '../chat/db/schema'
import { quickAndSources } from '../chat/db/schema-quick-sources'
import { jobTables } from '../jobs/schema'
import { mediaPeaks, mediaTables } from '../library/schema'
import type { Migration } from './migration'

export type { Migration }

export const migrations: readonly Migration[] = [chatTables, jobTables, mediaTables, quickAndSources, mediaPeaks]

/** The schema version this build writes. */
export const SCHEMA_VERSION = migrations.length
