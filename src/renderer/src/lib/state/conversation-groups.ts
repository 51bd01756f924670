/** Date groups of the chat sidebar (plain functions, no reactive state). */
import type { ConversationSummary } from '@shared/contract'

export interface ConversationGroup {
  /** Stable key: `pinned`, `today`, `yesterday`, `week`, `month` or `YYYY-MM`. */
  id: string
  label: string
  items: ConversationSummary[]
}

const DAY_MS = 86_400_000

function startOfDay(time: number): number {
  const date = new Date(time)
  date.setHours(0, 0, 0, 0)
  return date.getTime()
}

/** Whole calendar days between two instants, in local time (DST-safe). */
function dayDistance(now: number, then: number): number {
  return Math.round((startOfDay(now) - startOfDay(then)) / DAY_MS)
}

const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' })

/**
 * Groups summaries for the sidebar. Pinned first; the rest by `updatedAt` in
 * local calendar days relative to `now`; newest first inside each group.
 */
export function groupConversations(items: readonly ConversationSummary[], now: number): ConversationGroup[] {
  const sorted = [...items].sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id))
  const fixed: Record<string, ConversationGroup> = {
    pinned: { id: 'pinned', label: 'Pinned', items: [] },
    today: { id: 'today', label: 'Today', items: [] },
    yesterday: { id: 'yesterday', label: 'Yesterday', items: [] },
    week: { id: 'week', label: 'Previous 7 days', items: [] },
    month: { id: 'month', label: 'Previous 30 days', items: [] }
  }
  const months = new Map<string, ConversationGroup>()
  for (const item of sorted) {
    if (item.pinned) {
      fixed.pinned!.items.push(item)
      continue
    }
    const days = dayDistance(now, item.updatedAt)
    if (days <= 0) fixed.today!.items.push(item)
    else if (days === 1) fixed.yesterday!.items.push(item)
    else if (days <= 7) fixed.week!.items.push(item)
    else if (days <= 30) fixed.month!.items.push(item)
    else {
      const date = new Date(item.updatedAt)
      const id = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`
      let group = months.get(id)
      if (!group) {
        group = { id, label: monthFormat.format(date), items: [] }
        months.set(id, group)
      }
      group.items.push(item)
    }
  }
  return [fixed.pinned!, fixed.today!, fixed.yesterday!, fixed.week!, fixed.month!, ...months.values()].filter(
    (group) => group.items.length > 0
  )
}
