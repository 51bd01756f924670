/**
 * What a library MP3 carries about itself, so a rescan rebuilds its row from
 * the file alone: the app's record as JSON in a TXXX frame named `skyport`
 * (the same record PNGs carry in their chunk), the title (TIT2), an artist
 * line (TPE1), the spoken text or lyrics (USLT, which players show) and a
 * song's cover (APIC, from which the thumbnails are made again).
 */
import { open } from 'node:fs/promises'
import NodeID3 from 'node-id3'
import { APP_CHUNK_KEYWORD, appChunk, readAppChunk, type EmbeddedItem } from './embedded-settings'
import { sniffImage } from '../files/image-type'
import { id3v2Size } from '../sound/mp3'

/** A tag larger than this (a huge embedded picture) is not read by a rescan. */
const MAX_TAG_BYTES = 16 * 1024 * 1024

export interface AudioTagContent {
  item: EmbeddedItem
  /** A line such as "Skyport speech · sophia" or "Suno · chirp-v3-5". */
  artist: string
  cover: { bytes: Buffer; mime: string } | null
}

/** An ID3v2 tag for the head of a library MP3. */
export function createAudioTag(content: AudioTagContent): Buffer {
  const { item, artist, cover } = content
  const tags: NodeID3.Tags = {
    title: item.title,
    artist,
    userDefinedText: [{ description: APP_CHUNK_KEYWORD, value: appChunk(item).text }]
  }
  if (item.text !== '') tags.unsynchronisedLyrics = { language: 'eng', text: item.text }
  if (cover) tags.image = { mime: cover.mime, type: { id: 3, name: 'front cover' }, description: 'Cover', imageBuffer: cover.bytes }
  return NodeID3.create(tags)
}

export interface ReadAudioTag {
  /** The app's record, or null for an MP3 made elsewhere. */
  item: EmbeddedItem | null
  title: string
  artist: string
  cover: Buffer | null
}

/** Reads only the tag at the head of an MP3 file (not the audio). */
export async function readAudioTag(file: string): Promise<ReadAudioTag> {
  const handle = await open(file, 'r')
  let tag: Buffer
  try {
    const head = Buffer.alloc(10)
    await handle.read(head, 0, 10, 0)
    const size = id3v2Size(head)
    if (size === 0 || size > MAX_TAG_BYTES) return { item: null, title: '', artist: '', cover: null }
    tag = Buffer.alloc(size)
    await handle.read(tag, 0, size, 0)
  } finally {
    await handle.close()
  }
  const tags = NodeID3.read(tag)
  const own = tags.userDefinedText?.find((frame) => frame.description === APP_CHUNK_KEYWORD)
  const item = own ? readAppChunk([{ keyword: APP_CHUNK_KEYWORD, text: own.value }]) : null
  const image = typeof tags.image === 'object' ? tags.image.imageBuffer : null
  // Only a picture in a format the thumbnailer accepts is a cover.
  const cover = image && sniffImage(image) ? image : null
  return { item, title: tags.title ?? '', artist: tags.artist ?? '', cover }
}
