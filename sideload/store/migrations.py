"""The catalogue's schema, as the forward migrations that build it: entry i moves a vault from schema
version i to i+1 (`PRAGMA user_version`). A new vault runs them all; an older one, those it lacks.
`catalogue.migrate` applies them, each in one transaction with its version.
"""
from __future__ import annotations

# Each entry moves the schema from version i to i+1. Never edit a released entry: append.
MIGRATIONS: tuple[str, ...] = (
    # 1: files, moments, vectors, full-text index
    """
    CREATE TABLE files (
        file_id      INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        path         TEXT NOT NULL,
        size         INTEGER NOT NULL,
        mtime        REAL NOT NULL,
        importer     TEXT NOT NULL,
        media_kind   TEXT NOT NULL,
        started_at   TEXT,
        t_start      REAL,
        time_source  TEXT NOT NULL,
        duration_s   REAL,
        meta         TEXT NOT NULL DEFAULT '{}',
        imported_at  TEXT NOT NULL
    );
    CREATE INDEX files_path ON files(path);

    CREATE TABLE failures (
        path   TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        at     TEXT NOT NULL
    );

    CREATE TABLE moments (
        rid          INTEGER PRIMARY KEY,
        moment_id    TEXT NOT NULL UNIQUE,
        file_id      INTEGER NOT NULL REFERENCES files(file_id) ON DELETE CASCADE,
        kind         TEXT NOT NULL CHECK (kind IN ('speech', 'scene', 'photo', 'text')),
        start_s      REAL NOT NULL DEFAULT 0,
        end_s        REAL NOT NULL DEFAULT 0,
        started_at   TEXT,
        t_start      REAL,
        t_end        REAL,
        day          TEXT,
        speaker      TEXT,
        speaker_name TEXT,
        text         TEXT NOT NULL DEFAULT '',
        caption      TEXT,
        keyframe     TEXT,
        meta         TEXT NOT NULL DEFAULT '{}',
        private      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX moments_time ON moments(t_start);
    CREATE INDEX moments_day ON moments(day, t_start);
    CREATE INDEX moments_file ON moments(file_id, start_s);

    -- voice embeddings of speech moments, to tell the owner from others
    CREATE TABLE voiceprints (
        rid    INTEGER PRIMARY KEY REFERENCES moments(rid) ON DELETE CASCADE,
        vector BLOB NOT NULL
    );

    -- text embeddings; `indexed` says the vector is also in the chromadb index
    CREATE TABLE embeddings (
        rid     INTEGER PRIMARY KEY REFERENCES moments(rid) ON DELETE CASCADE,
        model   TEXT NOT NULL,
        vector  BLOB NOT NULL,
        indexed INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX embeddings_pending ON embeddings(indexed) WHERE indexed = 0;

    CREATE VIRTUAL TABLE moments_fts USING fts5(
        text, caption, content='moments', content_rowid='rid', tokenize='porter unicode61'
    );
    CREATE TRIGGER moments_ai AFTER INSERT ON moments BEGIN
        INSERT INTO moments_fts(rowid, text, caption) VALUES (new.rid, new.text, coalesce(new.caption, ''));
    END;
    CREATE TRIGGER moments_ad AFTER DELETE ON moments BEGIN
        INSERT INTO moments_fts(moments_fts, rowid, text, caption)
        VALUES ('delete', old.rid, old.text, coalesce(old.caption, ''));
    END;
    CREATE TRIGGER moments_au AFTER UPDATE OF text, caption ON moments BEGIN
        INSERT INTO moments_fts(moments_fts, rowid, text, caption)
        VALUES ('delete', old.rid, old.text, coalesce(old.caption, ''));
        INSERT INTO moments_fts(rowid, text, caption) VALUES (new.rid, new.text, coalesce(new.caption, ''));
    END;

    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: chat sessions with the persona, kept for the app
    """
    CREATE TABLE chat_sessions (
        session_id TEXT PRIMARY KEY,
        title      TEXT NOT NULL DEFAULT '',
        started_at TEXT NOT NULL
    );
    CREATE TABLE chat_messages (
        id         INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES chat_sessions(session_id) ON DELETE CASCADE,
        role       TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content    TEXT NOT NULL,
        citations  TEXT NOT NULL DEFAULT '[]',
        at         TEXT NOT NULL
    );
    CREATE INDEX chat_messages_session ON chat_messages(session_id, id);
    """,
    # 3: the distilled profile: mentions found per moment (incremental), facts, the owner's corrections
    """
    CREATE TABLE mentions (
        rid     INTEGER NOT NULL REFERENCES moments(rid) ON DELETE CASCADE,
        kind    TEXT NOT NULL,
        key     TEXT NOT NULL,
        detail  TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX mentions_key ON mentions(kind, key);
    CREATE INDEX mentions_rid ON mentions(rid);
    CREATE TABLE profile_facts (
        fact_id    INTEGER PRIMARY KEY,
        kind       TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        evidence   TEXT NOT NULL DEFAULT '[]',
        stats      TEXT NOT NULL DEFAULT '{}',
        source     TEXT NOT NULL DEFAULT 'auto' CHECK (source IN ('auto', 'owner')),
        hidden     INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        UNIQUE (kind, key)
    );
    """,
    # 4: filters answered from one covering index (search at a million moments)
    """
    CREATE INDEX moments_filter ON moments(day, speaker, kind, private);
    """,
    # 5: what the owner asked to forget: content hashes, so a re-import never brings it back
    """
    CREATE TABLE forgotten_files (
        content_hash TEXT PRIMARY KEY,
        at           TEXT NOT NULL
    );
    """,
    # 6: persona adapters (versions, figures, which moments trained them) and consolidation runs
    """
    CREATE TABLE adapters (
        adapter_id     INTEGER PRIMARY KEY,
        created_at     TEXT NOT NULL,
        status         TEXT NOT NULL CHECK (status IN ('served', 'retired', 'rejected', 'withdrawn')),
        parent_id      INTEGER,
        base_name      TEXT NOT NULL,
        base_sha256    TEXT NOT NULL,
        gguf_file      TEXT,
        peft_dir       TEXT,
        train_tokens   INTEGER NOT NULL DEFAULT 0,
        train_seconds  REAL NOT NULL DEFAULT 0,
        examples       INTEGER NOT NULL DEFAULT 0,
        heldout_tokens INTEGER NOT NULL DEFAULT 0,
        ppl_base       REAL,
        ppl_previous   REAL,
        ppl_new        REAL,
        needs_retrain  INTEGER NOT NULL DEFAULT 0,
        note           TEXT NOT NULL DEFAULT ''
    );
    -- no foreign key: forget must still find which adapters a deleted moment trained
    CREATE TABLE adapter_sources (
        adapter_id INTEGER NOT NULL REFERENCES adapters(adapter_id) ON DELETE CASCADE,
        rid        INTEGER NOT NULL,
        PRIMARY KEY (adapter_id, rid)
    ) WITHOUT ROWID;
    CREATE INDEX adapter_sources_rid ON adapter_sources(rid);
    CREATE TABLE consolidation_runs (
        run_id      INTEGER PRIMARY KEY,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted', 'cancelled')),
        pid         INTEGER,
        steps       TEXT NOT NULL DEFAULT '[]',
        report      TEXT NOT NULL DEFAULT '{}'
    );
    """,
    # 7: the owner's privacy rules; a moment is private when any rule covers it (new imports too)
    """
    CREATE TABLE privacy_rules (
        kind       TEXT NOT NULL CHECK (kind IN ('moment', 'day', 'place', 'person', 'source')),
        value      TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (kind, value)
    );
    INSERT INTO privacy_rules (kind, value, created_at)
        SELECT 'moment', moment_id, datetime('now') FROM moments WHERE private = 1;
    """,
    # 8: passages of long moments (a diary entry of 2,000 words, a long stretch of talk): a few
    # sentences each, with their own vector and full-text row, pointing back into the moment's text;
    # the embedding model reads only the first ~200 words of a text, so the rest needed its own vectors
    """
    CREATE TABLE passages (
        pid    INTEGER PRIMARY KEY,
        rid    INTEGER NOT NULL REFERENCES moments(rid) ON DELETE CASCADE,
        k      INTEGER NOT NULL,
        start  INTEGER NOT NULL,
        "end"  INTEGER NOT NULL,
        text   TEXT NOT NULL,
        model  TEXT NOT NULL DEFAULT '',
        vector BLOB,
        UNIQUE (rid, k)
    );
    CREATE VIRTUAL TABLE passages_fts USING fts5(
        text, content='passages', content_rowid='pid', tokenize='porter unicode61'
    );
    CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, text) VALUES (new.pid, new.text);
    END;
    CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.pid, old.text);
    END;
    -- "is any vector from another model?" must be instant at a million moments
    CREATE INDEX embeddings_model ON embeddings(model);
    """,
    # 9: people: voices grouped across recordings (and chat partners), named once by the owner or
    # guessed from chats and speech; each speech or chat moment belongs to at most one person
    """
    CREATE TABLE people (
        person_id  INTEGER PRIMARY KEY,
        name       TEXT,
        named_by   TEXT CHECK (named_by IN ('owner', 'chat', 'speech')),
        is_owner   INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE moment_people (
        rid        INTEGER PRIMARY KEY REFERENCES moments(rid) ON DELETE CASCADE,
        person_id  INTEGER NOT NULL REFERENCES people(person_id) ON DELETE CASCADE,
        confidence REAL NOT NULL
    );
    CREATE INDEX moment_people_person ON moment_people(person_id);
    """,
    # 10: activities discovered from the moments (clusters of meaning, named in the owner's words);
    # ids stay stable across rediscovery so the owner's renames, merges and splits keep applying
    """
    CREATE TABLE activities (
        activity_id INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        named_by    TEXT NOT NULL DEFAULT 'auto' CHECK (named_by IN ('auto', 'owner')),
        phrase      TEXT NOT NULL DEFAULT '',
        terms       TEXT NOT NULL DEFAULT '{}',
        centroid    BLOB,
        status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'gone', 'merged')),
        merged_into INTEGER REFERENCES activities(activity_id),
        split_from  INTEGER REFERENCES activities(activity_id),
        stats       TEXT NOT NULL DEFAULT '{}',
        created_at  TEXT NOT NULL
    );
    CREATE TABLE moment_activities (
        rid         INTEGER PRIMARY KEY REFERENCES moments(rid) ON DELETE CASCADE,
        activity_id INTEGER NOT NULL REFERENCES activities(activity_id) ON DELETE CASCADE,
        episode     INTEGER NOT NULL
    );
    CREATE INDEX moment_activities_activity ON moment_activities(activity_id);
    """,
    # 11: each night's four-way choices beside perplexity: likeness and coherence of the adapter that
    # served before (or the base model) and of the new one, on the night's held-out words; NULL where
    # a figure was not measured (no one else's words and no imitation model), never 0
    """
    ALTER TABLE adapters ADD COLUMN likeness_previous REAL;
    ALTER TABLE adapters ADD COLUMN likeness_new REAL;
    ALTER TABLE adapters ADD COLUMN likeness_items INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE adapters ADD COLUMN coherence_previous REAL;
    ALTER TABLE adapters ADD COLUMN coherence_new REAL;
    ALTER TABLE adapters ADD COLUMN coherence_items INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE adapters ADD COLUMN likeness_note TEXT NOT NULL DEFAULT '';
    """,
    # 12: passages are cut shorter (about 30 words), never after a title ("Mrs. | Knipp"); a vault
    # whose passages were cut the old way says so, and consolidation cuts them again
    """
    INSERT OR REPLACE INTO kv (key, value) SELECT 'passages_cut', '1' WHERE EXISTS (SELECT 1 FROM passages);
    """,
    # 13: where in each cited moment the answer's quote stands ({moment id: [from, to]}, offsets into
    # its text), so a chat reopened later still opens a long entry at the passage it quoted
    """
    ALTER TABLE chat_messages ADD COLUMN passages TEXT NOT NULL DEFAULT '{}';
    """,
)
