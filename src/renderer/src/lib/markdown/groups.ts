/**
 * Groups the blocks of a streaming answer so that the page's work per frame
 * does not grow with the answer.
 *
 * A 100,000-token code generation streams as some 400 blocks (one per cut
 * segment of its fence). Laid out side by side, Chromium walks every one of
 * them on each frame's layout and pre-paint, which traces showed to be the
 * cost that grew along the answer. In groups of about `GROUP_SIZE` blocks,
 * each group one contained box, a frame walks a dozen boxes and the last
 * group's blocks.
 *
 * A contained box keeps its children's margins in, where loose blocks let
 * them collapse with their neighbours'. So a group only ends before a block
 * whose first element has no top margin (a paragraph, a list, a table, code,
 * math, a quote, a later segment of a fence), never before a heading or a
 * rule; the gap between groups is then the same as without them.
 */
import type { RenderedBlock } from './incremental'

/** Blocks per group, at least; a group closes before the next block that may start one. */
export const GROUP_SIZE = 32

export interface GroupedBlock {
  readonly block: RenderedBlock
  /** The next block is a later segment of the same fence: the two show as one box. */
  readonly joinsNext: boolean
}

export interface BlockGroup {
  /** The group's index, stable while the answer streams. */
  readonly key: number
  readonly blocks: readonly GroupedBlock[]
  /** No block will be added to it: the same object is returned on every later update. */
  readonly closed: boolean
}

/** Headings and rules (`#`, `---`, `***`, `___`, a setext underline) and raw HTML start with a top margin. */
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/m
const FENCE = /^ {0,3}(?:`{3,}|~{3,})/

/** Whether `block`'s first element has no top margin, so a group may start with it. */
export function startsFlush(block: RenderedBlock): boolean {
  if (block.continues) return true
  const text = block.text
  if (FENCE.test(text)) return true
  const newline = text.indexOf('\n')
  const firstLine = newline < 0 ? text : text.slice(0, newline)
  if (THEMATIC_BREAK.test(firstLine)) return false
  // Indented code, headings and raw HTML (any element, any margin) do not start a group.
  if (/^(?: {4}|\t| {0,3}[#<])/.test(firstLine)) return false
  return !SETEXT_UNDERLINE.test(text)
}

/**
 * Keeps the closed groups of the blocks seen so far, so that an update with
 * the same blocks plus more returns them unchanged (the same objects) and
 * builds only the last, open group afresh.
 */
export class BlockGrouper {
  readonly #size: number
  #closed: BlockGroup[] = []
  /** The blocks the closed groups were built from, for checking that an update extends them. */
  #closedBlocks: RenderedBlock[] = []

  constructor(size: number = GROUP_SIZE) {
    this.#size = size
  }

  group(blocks: readonly RenderedBlock[]): readonly BlockGroup[] {
    let valid = 0
    while (valid < this.#closedBlocks.length && blocks[valid] === this.#closedBlocks[valid]) valid++
    if (valid < this.#closedBlocks.length) this.#forgetFrom(valid)

    let start = this.#closedBlocks.length
    const groups = this.#closed.slice()
    for (;;) {
      let end = start + this.#size
      while (end < blocks.length && !startsFlush(blocks[end] as RenderedBlock)) end++
      // A group closes only once the block after it is there: its last block's join depends on it.
      if (end >= blocks.length) break
      const group = { key: groups.length, blocks: withJoins(blocks, start, end), closed: true }
      groups.push(group)
      this.#closed.push(group)
      this.#closedBlocks.push(...blocks.slice(start, end))
      start = end
    }
    if (start < blocks.length) groups.push({ key: groups.length, blocks: withJoins(blocks, start, blocks.length), closed: false })
    return groups
  }

  /** Drops the closed groups from the one holding block `index` on. */
  #forgetFrom(index: number): void {
    let kept = 0
    let blocks = 0
    for (const group of this.#closed) {
      if (blocks + group.blocks.length > index) break
      blocks += group.blocks.length
      kept++
    }
    this.#closed.length = kept
    this.#closedBlocks.length = blocks
  }
}

function withJoins(blocks: readonly RenderedBlock[], start: number, end: number): GroupedBlock[] {
  const grouped: GroupedBlock[] = []
  for (let i = start; i < end; i++) {
    grouped.push({ block: blocks[i] as RenderedBlock, joinsNext: blocks[i + 1]?.continues === true })
  }
  return grouped
}
