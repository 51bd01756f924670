/**
 * Web answers and quick asks: a step of the database's migrations (see ../../db/migrations.ts).
 * Once shipped, never edit it; change the schema with a new step.
 */
import type { Migration } from '../../db/migration'

export const quickAndSources: Migration = {
  name: 'quick-ask conversations, sources of web answers',
  up: (db) =>
    db.exec(`
        -- 1: asked from the quick-ask window.
        ALTER TABLE conversations ADD COLUMN quick INTEGER NOT NULL DEFAULT 0;
        -- The pages a web answer cites, [{n, url, title}]. Their domains are also in the
        -- answer's text (its list of sources), which is what the search index reads.
        ALTER TABLE messages ADD COLUMN sources_json TEXT NOT NULL DEFAULT '[]';
    `)
}
