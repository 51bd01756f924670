/**
 * The chat tables: step 1 of the database's migrations (see ../../db/migrations.ts).
 * It has shipped: never edit it; change the schema with a new step.
 */
import type { Migration } from '../../db/migration'

export const chatTables: Migration = {
  name: 'conversations, messages tree, presets, message search',
  up: (db) =>
    db.exec(`
        CREATE TABLE conversations (
          id             TEXT PRIMARY KEY NOT NULL,
          title          TEXT NOT NULL,
          created_at     INTEGER NOT NULL,
          updated_at     INTEGER NOT NULL,
          pinned         INTEGER NOT NULL DEFAULT 0,
          model          TEXT NOT NULL,
          system_prompt  TEXT NOT NULL DEFAULT '',
          params_json    TEXT NOT NULL DEFAULT '{}',
          stream         INTEGER NOT NULL DEFAULT 1,
          -- Not a foreign key: the two tables would reference each other. A
          -- dangling value is tolerated (the newest leaf is shown instead).
          active_leaf_id TEXT,
          trashed_at     INTEGER
        ) STRICT;
        CREATE INDEX conversations_by_activity ON conversations (pinned DESC, updated_at DESC) WHERE trashed_at IS NULL;
        CREATE INDEX conversations_trashed ON conversations (trashed_at) WHERE trashed_at IS NOT NULL;

        -- seq is the rowid, declared so VACUUM can never renumber it: the
        -- search index refers to messages by it, and it orders versions.
        CREATE TABLE messages (
          seq              INTEGER PRIMARY KEY,
          id               TEXT NOT NULL UNIQUE,
          conversation_id  TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
          -- No ON DELETE action: a cascade would recurse once per level of a
          -- long thread and hit SQLite's trigger depth limit. Messages go
          -- with their conversation, all in one statement.
          parent_id        TEXT REFERENCES messages (id),
          -- Position in the tree (root = 1): the visible thread's length is its leaf's depth.
          depth            INTEGER NOT NULL,
          role             TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
          content          TEXT NOT NULL,
          reasoning        TEXT NOT NULL DEFAULT '',
          attachments_json TEXT NOT NULL DEFAULT '[]',
          model            TEXT,
          status           TEXT NOT NULL CHECK (status IN ('complete', 'streaming', 'incomplete', 'error')),
          error_json       TEXT,
          finish_reason    TEXT,
          usage_json       TEXT,
          created_at       INTEGER NOT NULL,
          updated_at       INTEGER NOT NULL,
          -- 1 while the conversation is in the trash: kept out of search. A
          -- copy of the conversation's state, so whether a row is in the
          -- search index depends on the row alone (see the triggers).
          hidden           INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        -- Covers the tree walk (ids and parents of a conversation) and the
        -- lookup of a message's versions, roots included (parent_id IS NULL).
        CREATE INDEX messages_tree ON messages (conversation_id, parent_id, id);
        -- Deleting a message looks up its children through the foreign key.
        CREATE INDEX messages_parent ON messages (parent_id);
        CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';

        CREATE TABLE presets (
          id            TEXT PRIMARY KEY NOT NULL,
          name          TEXT NOT NULL,
          system_prompt TEXT NOT NULL,
          params_json   TEXT NOT NULL,
          model         TEXT,
          created_at    INTEGER NOT NULL,
          updated_at    INTEGER NOT NULL
        ) STRICT;

        -- Full-text index over questions and answers, stored once (external
        -- content). A message is in it when it has stopped streaming and its
        -- conversation is not in the trash: a growing answer saved several
        -- times a second is not re-indexed on every save, and search needs
        -- no join to leave trashed conversations out.
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
          content,
          content = 'messages',
          content_rowid = 'seq',
          tokenize = 'unicode61 remove_diacritics 2',
          prefix = '2 3'
        );
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.status <> 'streaming' AND new.hidden = 0 BEGIN
          INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.status <> 'streaming' AND old.hidden = 0 BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
        END;
        -- One trigger, two ordered steps: the old text must leave the index
        -- before the new text enters it under the same rowid.
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, status, hidden ON messages BEGIN
          INSERT INTO messages_fts (messages_fts, rowid, content) SELECT 'delete', old.seq, old.content WHERE old.status <> 'streaming' AND old.hidden = 0;
          INSERT INTO messages_fts (rowid, content) SELECT new.seq, new.content WHERE new.status <> 'streaming' AND new.hidden = 0;
        END;
        -- Trash and restore hide or show the conversation's messages.
        CREATE TRIGGER conversations_hide AFTER UPDATE OF trashed_at ON conversations
        WHEN (old.trashed_at IS NULL) <> (new.trashed_at IS NULL) BEGIN
          UPDATE messages SET hidden = (new.trashed_at IS NOT NULL) WHERE conversation_id = new.id;
        END;
    `)
}
