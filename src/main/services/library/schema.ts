/**
 * The media library's tables: a step of the database's migrations (see
 * ../db/migrations.ts). Once shipped, never edit it; change the schema with
 * a new step.
 *
 * One table for every kind of media (images now, speech and songs later):
 * what differs between kinds lives in `settings_json`; what the grid, the
 * filters and the search need is a column. The files are the truth and this
 * is their index: a rescan rebuilds it from the settings embedded in them.
 */
import type { Migration } from '../db/migration'

export const mediaTables: Migration = {
  name: 'media library: items, collections, search',
  up: (db) =>
    db.exec(`
        -- seq is the rowid, declared so VACUUM can never renumber it: the
        -- search index refers to items by it.
        CREATE TABLE media (
          seq              INTEGER PRIMARY KEY,
          id               TEXT NOT NULL UNIQUE,
          -- image, speech, song: checked in code, so a new kind needs no table rebuild.
          kind             TEXT NOT NULL,
          -- Relative to the media folder, forward slashes.
          path             TEXT NOT NULL UNIQUE,
          mime             TEXT NOT NULL,
          -- The file's size and modification time as last read: the start-up
          -- check compares them with the disk and re-reads only what differs.
          bytes            INTEGER NOT NULL,
          mtime_ms         INTEGER NOT NULL,
          width            INTEGER,
          height           INTEGER,
          duration_ms      INTEGER,
          -- A short line for the card, made from the prompt or the text (or a song's own title).
          title            TEXT NOT NULL DEFAULT '',
          prompt           TEXT NOT NULL DEFAULT '',
          -- Spoken text or lyrics.
          text             TEXT NOT NULL DEFAULT '',
          -- A vision model's description.
          description      TEXT NOT NULL DEFAULT '',
          model            TEXT,
          -- Searchable values from the settings (seed, endpoint, the tool that made an import).
          keywords         TEXT NOT NULL DEFAULT '',
          settings_json    TEXT NOT NULL DEFAULT '{}',
          -- studio, chat, quick, import: checked in code.
          source           TEXT NOT NULL,
          created_at       INTEGER NOT NULL,
          starred          INTEGER NOT NULL DEFAULT 0,
          trashed_at       INTEGER,
          -- The dominant colour (#rrggbb), painted while the thumbnail loads.
          color            TEXT,
          -- 1 once media/thumbs/<id>-s.webp and -l.webp were made.
          has_thumbs       INTEGER NOT NULL DEFAULT 0,
          -- SHA-256 of the bytes as received or imported: the same file is never imported twice.
          source_hash      TEXT,
          -- The names of the item's collections, kept by the triggers below, so search finds them.
          collection_names TEXT NOT NULL DEFAULT ''
        ) STRICT;
        -- The grid, newest or oldest first (read forwards or backwards).
        CREATE INDEX media_by_time ON media (created_at, seq) WHERE trashed_at IS NULL;
        CREATE INDEX media_by_kind ON media (kind, created_at) WHERE trashed_at IS NULL;
        CREATE INDEX media_starred ON media (created_at) WHERE starred = 1 AND trashed_at IS NULL;
        CREATE INDEX media_trashed ON media (trashed_at) WHERE trashed_at IS NOT NULL;
        -- The model filter and the list of models.
        CREATE INDEX media_by_model ON media (model, created_at) WHERE model IS NOT NULL;
        CREATE INDEX media_by_source_hash ON media (source_hash) WHERE source_hash IS NOT NULL;

        CREATE TABLE collections (
          id         TEXT PRIMARY KEY NOT NULL,
          name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
          created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE media_collections (
          collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
          media_id      TEXT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
          added_at      INTEGER NOT NULL,
          PRIMARY KEY (collection_id, media_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX media_collections_by_item ON media_collections (media_id);

        -- Full-text index over what a person remembers of an item, stored
        -- once (external content), with the chat search's tokenizer so one
        -- query builder serves both. Trashed items stay indexed: the trash
        -- view searches too, and the query leaves them out elsewhere.
        CREATE VIRTUAL TABLE media_fts USING fts5 (
          prompt, text, description, model, keywords, collection_names,
          content = 'media',
          content_rowid = 'seq',
          tokenize = 'unicode61 remove_diacritics 2',
          prefix = '2 3'
        );
        CREATE TRIGGER media_fts_insert AFTER INSERT ON media BEGIN
          INSERT INTO media_fts (rowid, prompt, text, description, model, keywords, collection_names)
          VALUES (new.seq, new.prompt, new.text, new.description, new.model, new.keywords, new.collection_names);
        END;
        CREATE TRIGGER media_fts_delete AFTER DELETE ON media BEGIN
          INSERT INTO media_fts (media_fts, rowid, prompt, text, description, model, keywords, collection_names)
          VALUES ('delete', old.seq, old.prompt, old.text, old.description, old.model, old.keywords, old.collection_names);
        END;
        -- One trigger, two ordered steps: the old text leaves the index
        -- before the new text enters it under the same rowid.
        CREATE TRIGGER media_fts_update AFTER UPDATE OF prompt, text, description, model, keywords, collection_names ON media BEGIN
          INSERT INTO media_fts (media_fts, rowid, prompt, text, description, model, keywords, collection_names)
          VALUES ('delete', old.seq, old.prompt, old.text, old.description, old.model, old.keywords, old.collection_names);
          INSERT INTO media_fts (rowid, prompt, text, description, model, keywords, collection_names)
          VALUES (new.seq, new.prompt, new.text, new.description, new.model, new.keywords, new.collection_names);
        END;

        -- An item's collection names follow its memberships and the names.
        -- When an item is deleted, its memberships go by the cascade and
        -- these updates find no row: nothing is re-indexed for nothing.
        CREATE TRIGGER media_collections_added AFTER INSERT ON media_collections BEGIN
          UPDATE media SET collection_names = (
            SELECT coalesce(group_concat(c.name, ' '), '') FROM media_collections mc JOIN collections c ON c.id = mc.collection_id WHERE mc.media_id = new.media_id
          ) WHERE id = new.media_id;
        END;
        CREATE TRIGGER media_collections_removed AFTER DELETE ON media_collections BEGIN
          UPDATE media SET collection_names = (
            SELECT coalesce(group_concat(c.name, ' '), '') FROM media_collections mc JOIN collections c ON c.id = mc.collection_id WHERE mc.media_id = old.media_id
          ) WHERE id = old.media_id;
        END;
        CREATE TRIGGER collections_renamed AFTER UPDATE OF name ON collections BEGIN
          UPDATE media SET collection_names = (
            SELECT coalesce(group_concat(c.name, ' '), '') FROM media_collections mc JOIN collections c ON c.id = mc.collection_id WHERE mc.media_id = media.id
          ) WHERE id IN (SELECT media_id FROM media_collections WHERE collection_id = new.id);
        END;
    `)
}

/**
 * Speech and songs: their waveform peaks, computed once when the file is
 * saved (or rescanned), so neither the grid nor the player decodes audio to
 * draw it. `peaks` is the card's 64 bars, `waveform` the player's 1,024
 * (base64, one byte a bar; see shared/peaks.ts). Null for images.
 */
export const mediaPeaks: Migration = {
  name: 'media library: waveform peaks of audio items',
  up: (db) =>
    db.exec(`
        ALTER TABLE media ADD COLUMN peaks TEXT;
        ALTER TABLE media ADD COLUMN waveform TEXT;
    `)
}
