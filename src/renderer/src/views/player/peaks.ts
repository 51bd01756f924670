/**
 * Waveform peaks as the player and the cards draw them: main stores a few
 * hundred values from 0 to 1 per file; these helpers fit them to the bars
 * that fit the space, so nothing is ever decoded in the window.
 */

/** `count` bars from any number of peaks: the loudest peak of each bar's share (0 to 1). */
export function barsOf(peaks: readonly number[], count: number): number[] {
  const bars = Math.max(0, Math.floor(count))
  if (bars === 0 || peaks.length === 0) return []
  const out: number[] = []
  for (let bar = 0; bar < bars; bar++) {
    const from = Math.floor((bar * peaks.length) / bars)
    const to = Math.max(from + 1, Math.floor(((bar + 1) * peaks.length) / bars))
    let loudest = 0
    for (let i = from; i < to && i < peaks.length; i++) {
      const value = Math.abs(peaks[i] ?? 0)
      if (value > loudest) loudest = value
    }
    out.push(Math.min(1, Number.isFinite(loudest) ? loudest : 0))
  }
  return out
}

/** "1:05", "12:00", "1:02:03": a track's time as players show it. */
export function clockTime(seconds: number): string {
  const total = Number.isFinite(seconds) ? Math.max(0, Math.floor(seconds)) : 0
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = String(total % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}
