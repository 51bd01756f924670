/**
 * What every store of skyport.db does with its connection: prepared
 * statements kept and reused (preparing costs more than running most of
 * them), rows as objects or arrays, and one write transaction helper.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite'
import { AppError } from '../../../shared/errors'

export class Statements {
  readonly #db: DatabaseSync
  readonly #cache = new Map<string, StatementSync>()
  /** Names the store in "… is closed" errors. */
  readonly #what: string
  #closed = false

  constructor(db: DatabaseSync, what: string) {
    this.#db = db
    this.#what = what
  }

  /** The statement for `sql`, prepared once; `arrays`: rows come back as arrays (the long reads). */
  prepare(sql: string, arrays = false): StatementSync {
    if (this.#closed) throw new AppError('internal', `The ${this.#what} is closed.`)
    const key = arrays ? `[]${sql}` : sql
    let statement = this.#cache.get(key)
    if (!statement) {
      statement = this.#db.prepare(sql)
      if (arrays) statement.setReturnArrays(true)
      this.#cache.set(key, statement)
    }
    return statement
  }

  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.prepare(sql).all(...params) as T[]
  }

  /** Rows as arrays, in the order of the SELECT's columns. */
  arrays(sql: string, ...params: SQLInputValue[]): unknown[][] {
    return this.prepare(sql, true).all(...params) as unknown as unknown[][]
  }

  get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.prepare(sql).get(...params) as T | undefined
  }

  /** Returns how many rows changed. */
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.prepare(sql).run(...params).changes)
  }

  /** Runs `work` in one write transaction (or inside the one already open); any throw rolls everything back. */
  transaction<T>(work: () => T): T {
    if (this.#db.isTransaction) return work()
    this.#db.exec('BEGIN IMMEDIATE')
    try {
      const result = work()
      this.#db.exec('COMMIT')
      return result
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK')
      throw error
    }
  }

  /** Drops the prepared statements; later calls fail with "… is closed". The connection is its owner's to close. */
  close(): void {
    this.#closed = true
    this.#cache.clear()
  }
}
