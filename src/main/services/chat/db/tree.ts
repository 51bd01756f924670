/**
 * A conversation's message tree in memory, built from one light query
 * (ids and parents only, in creation order). Versions of a message are its
 * siblings; the visible thread is the path from a root to the active leaf.
 */
import type { TreeRow } from './rows'

export class MessageTree {
  /** Children of each parent (null: the roots), in creation order. */
  readonly #children = new Map<string | null, string[]>()
  readonly #parent = new Map<string, string | null>()
  /** Creation order, to tell which leaf is newest. */
  readonly #order = new Map<string, number>()

  /** `rows` must come in creation order. */
  constructor(rows: readonly TreeRow[]) {
    rows.forEach((row, index) => {
      this.#parent.set(row.id, row.parent_id)
      this.#order.set(row.id, index)
      const list = this.#children.get(row.parent_id)
      if (list) list.push(row.id)
      else this.#children.set(row.parent_id, [row.id])
    })
  }

  get size(): number {
    return this.#parent.size
  }

  has(id: string): boolean {
    return this.#parent.has(id)
  }

  /** The message and its versions, in creation order. */
  versionsOf(id: string): string[] {
    const parent = this.#parent.get(id)
    if (parent === undefined) return [id]
    return this.#children.get(parent) ?? [id]
  }

  /** Root → `leafId`. Stops at a loop rather than spinning (a damaged file). */
  pathTo(leafId: string): string[] {
    const path: string[] = []
    const seen = new Set<string>()
    let current: string | null | undefined = leafId
    while (current !== null && current !== undefined && !seen.has(current)) {
      seen.add(current)
      path.push(current)
      current = this.#parent.get(current)
    }
    return path.reverse()
  }

  /** The most recently created leaf below `id` (itself if it has no children); null: over the whole tree. */
  newestLeafUnder(id: string | null): string | null {
    let best: string | null = null
    let bestOrder = -1
    const stack: Array<string | null> = [id]
    const seen = new Set<string | null>()
    while (stack.length > 0) {
      const node = stack.pop() as string | null
      if (seen.has(node)) continue
      seen.add(node)
      const children = this.#children.get(node)
      if (children && children.length > 0) {
        stack.push(...children)
      } else if (node !== null) {
        const order = this.#order.get(node) ?? -1
        if (order > bestOrder) {
          best = node
          bestOrder = order
        }
      }
    }
    return best
  }

  /** `id` and every message below it (its answers, their versions, and so on). */
  subtree(id: string): string[] {
    const out: string[] = []
    const stack = [id]
    const seen = new Set<string>()
    while (stack.length > 0) {
      const node = stack.pop() as string
      if (seen.has(node)) continue
      seen.add(node)
      out.push(node)
      stack.push(...(this.#children.get(node) ?? []))
    }
    return out
  }

  parentOf(id: string): string | null {
    return this.#parent.get(id) ?? null
  }

  /** The visible thread: the path to the active leaf, or to the newest leaf when it is unknown. */
  visiblePath(activeLeafId: string | null): string[] {
    const leaf = activeLeafId !== null && this.has(activeLeafId) ? activeLeafId : this.newestLeafUnder(null)
    return leaf === null ? [] : this.pathTo(leaf)
  }
}
