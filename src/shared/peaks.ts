/**
 * Waveform peaks as they cross the bridge and sit in the database: base64 of
 * one byte per bar (0 to 255, the loudest sample in that slice of the audio).
 * A byte per bar is finer than any waveform is drawn and keeps 64 bars (a
 * card) at 88 characters and 1,024 (the player) at about 1.4 KB.
 */

/** Bars on a library card. */
export const CARD_PEAKS = 64
/** Bars in the player's waveform. */
export const WAVEFORM_PEAKS = 1024

/** Peaks of 0 to 1 → the stored text. */
export function encodePeaks(peaks: ArrayLike<number>): string {
  const bytes = new Uint8Array(peaks.length)
  for (let i = 0; i < peaks.length; i++) bytes[i] = Math.round(Math.min(Math.max(peaks[i] ?? 0, 0), 1) * 255)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** The stored text → peaks of 0 to 1 (an unreadable text gives none). */
export function decodePeaks(text: string | null): number[] {
  if (!text) return []
  let binary: string
  try {
    binary = atob(text)
  } catch {
    return []
  }
  const peaks = new Array<number>(binary.length)
  for (let i = 0; i < binary.length; i++) peaks[i] = binary.charCodeAt(i) / 255
  return peaks
}

/** Fewer bars from more: each new bar is the loudest of the ones it covers. */
export function downsamplePeaks(peaks: ArrayLike<number>, bars: number): number[] {
  if (peaks.length <= bars) return Array.from(peaks)
  const out = new Array<number>(bars).fill(0)
  for (let i = 0; i < peaks.length; i++) {
    const bar = Math.min(Math.floor((i * bars) / peaks.length), bars - 1)
    out[bar] = Math.max(out[bar] ?? 0, peaks[i] ?? 0)
  }
  return out
}
