/** Image files from a paste or a drop, read for `attachments.add`. */

export function isImageFile(file: File): boolean {
  return file.type.startsWith('image/')
}

export function imageFiles(files: Iterable<File>): File[] {
  return [...files].filter(isImageFile)
}

/** The file's bytes as base64 (no `data:` prefix). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  }
  return btoa(binary)
}

/** True when a drag carries files (not text or a link). */
export function dragHasFiles(event: DragEvent): boolean {
  return [...(event.dataTransfer?.types ?? [])].includes('Files')
}
