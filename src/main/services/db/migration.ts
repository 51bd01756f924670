import type { DatabaseSync } from 'node:sqlite'

/** One forward step of the database's schema. */
export interface Migration {
  /** What the step does, for error messages. */
  name: string
  up: (db: DatabaseSync) => void
}
