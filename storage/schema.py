"""The schema as SQL, in numbered migrations tracked by ``PRAGMA user_version``.

Migration N brings a database from version N-1 to N.  Never edit a released migration: append
a new one.  Timestamps are UTC ISO-8601 text (see :func:`storage.db.to_db`), so they sort and
compare as strings.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: subscribers, sources, articles, briefs, loss counter history
    """
    CREATE TABLE chats (
        id          INTEGER PRIMARY KEY,              -- Telegram chat id
        type        TEXT NOT NULL,                    -- private | group | supergroup | channel
        title       TEXT NOT NULL DEFAULT '',
        status      TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'stopped', 'blocked', 'gone')),
        joined_at   TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        settings    TEXT NOT NULL DEFAULT '{}'         -- JSON object
    );
    CREATE INDEX chats_by_status ON chats (status, id);

    CREATE TABLE sources (
        id                   INTEGER PRIMARY KEY,
        url                  TEXT NOT NULL UNIQUE,
        name                 TEXT NOT NULL,
        origin               TEXT NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'admin')),
        enabled              INTEGER NOT NULL DEFAULT 1,
        deleted_at           TEXT,                    -- set by /delsource; config sync keeps it
        etag                 TEXT,
        last_modified        TEXT,
        body_sha             TEXT,                    -- hash of the last parsed body
        first_success_at     TEXT,                    -- NULL until the first successful poll
        last_success_at      TEXT,
        last_polled_at       TEXT,
        last_item_count      INTEGER,                 -- items in the last parsed feed
        last_error           TEXT,                    -- plain words, for /sources and /stats
        last_error_at        TEXT,
        last_warning         TEXT,                    -- feed accepted, but some items were odd
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_poll_at         TEXT,                    -- backoff: not polled before this moment
        created_at           TEXT NOT NULL
    );

    CREATE TABLE articles (
        id            INTEGER PRIMARY KEY,
        source_id     INTEGER NOT NULL REFERENCES sources (id),
        identity      TEXT NOT NULL,                  -- guid:… | link:<canonical> | hash:…
        url           TEXT NOT NULL,
        title         TEXT NOT NULL,
        published_at  TEXT,
        content_hash  TEXT,                           -- normalised title+summary hash
        language      TEXT,
        disposition   TEXT NOT NULL DEFAULT 'recorded', -- pushed | first_poll | too_old | ...
        fetched_at    TEXT NOT NULL,
        UNIQUE (source_id, identity)
    );
    CREATE INDEX articles_by_content_hash ON articles (content_hash);

    CREATE TABLE briefs (
        id          INTEGER PRIMARY KEY,
        article_id  INTEGER NOT NULL UNIQUE REFERENCES articles (id),
        title       TEXT NOT NULL,
        summary     TEXT NOT NULL,                    -- plain text
        html        TEXT NOT NULL,                    -- the rendered Telegram HTML message
        summariser  TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX briefs_by_created ON briefs (created_at);

    CREATE TABLE loss_snapshots (
        day         TEXT PRIMARY KEY,                 -- YYYY-MM-DD (Europe/Kyiv report date)
        war_day     INTEGER,
        stats       TEXT NOT NULL,                    -- JSON {category: total}
        increase    TEXT NOT NULL,                    -- JSON {category: increase}
        source      TEXT NOT NULL,                    -- russianwarship | minfin
        fetched_at  TEXT NOT NULL
    );
    """,
    # 2: admin broadcasts and the delivery ledger
    """
    CREATE TABLE broadcasts (
        id                   INTEGER PRIMARY KEY,
        admin_id             INTEGER NOT NULL,
        text                 TEXT NOT NULL,
        status               TEXT NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
        progress_chat_id     INTEGER,
        progress_message_id  INTEGER,
        created_at           TEXT NOT NULL,
        started_at           TEXT,
        finished_at          TEXT
    );

    CREATE TABLE deliveries (
        id            INTEGER PRIMARY KEY,
        brief_id      INTEGER REFERENCES briefs (id),
        broadcast_id  INTEGER REFERENCES broadcasts (id),
        chat_id       INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE,
        priority      INTEGER NOT NULL,               -- lower goes first: 1 brief, 2 broadcast
        status        TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        not_before    TEXT,                           -- earliest retry time
        last_error    TEXT,
        message_id    INTEGER,                        -- Telegram's id, set only after OK
        created_at    TEXT NOT NULL,
        sent_at       TEXT,
        CHECK ((brief_id IS NULL) <> (broadcast_id IS NULL))
    );
    CREATE UNIQUE INDEX deliveries_one_per_brief_chat
        ON deliveries (brief_id, chat_id) WHERE brief_id IS NOT NULL;
    CREATE UNIQUE INDEX deliveries_one_per_broadcast_chat
        ON deliveries (broadcast_id, chat_id) WHERE broadcast_id IS NOT NULL;
    CREATE INDEX deliveries_pending
        ON deliveries (priority, id) WHERE status = 'pending';
    CREATE INDEX deliveries_by_chat ON deliveries (chat_id, status);
    """,
    # 3: what a crashed poll needs to resume an article left 'pending'
    """
    ALTER TABLE articles ADD COLUMN decision TEXT;     -- policy action: push | first_poll
    ALTER TABLE articles ADD COLUMN resume_text TEXT;  -- feed text, kept while pending
    CREATE INDEX articles_pending ON articles (fetched_at) WHERE disposition = 'pending';
    """,
    # 4: the ledger learns two outcomes and an expiry, and gets indexes for its queue queries.
    # SQLite cannot change a CHECK in place, so the table is rebuilt (nothing references it).
    # Pending brief rows from version 3 expire 6 hours after they were created (the default
    # of delivery.expire_hours); broadcasts never expire.
    """
    CREATE TABLE deliveries_v4 (
        id            INTEGER PRIMARY KEY,
        brief_id      INTEGER REFERENCES briefs (id),
        broadcast_id  INTEGER REFERENCES broadcasts (id),
        chat_id       INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE,
        priority      INTEGER NOT NULL,               -- the kind: 1 brief, 2 broadcast
        status        TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sent', 'failed', 'skipped',
                                        'expired',    -- too old to send: never sent
                                        'unknown')),  -- the send timed out: maybe delivered
        attempts      INTEGER NOT NULL DEFAULT 0,
        not_before    TEXT,                           -- earliest retry time
        last_error    TEXT,
        message_id    INTEGER,                        -- Telegram's id, set only after OK
        created_at    TEXT NOT NULL,
        sent_at       TEXT,
        expires_at    TEXT,                           -- NULL: never expires
        CHECK ((brief_id IS NULL) <> (broadcast_id IS NULL))
    );
    INSERT INTO deliveries_v4 (id, brief_id, broadcast_id, chat_id, priority, status, attempts,
                               not_before, last_error, message_id, created_at, sent_at,
                               expires_at)
        SELECT id, brief_id, broadcast_id, chat_id, priority, status, attempts, not_before,
               last_error, message_id, created_at, sent_at,
               CASE WHEN brief_id IS NOT NULL AND status = 'pending'
                    THEN strftime('%Y-%m-%dT%H:%M:%f', created_at, '+6 hours') || '000+00:00'
               END
        FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v4 RENAME TO deliveries;
    CREATE UNIQUE INDEX deliveries_one_per_brief_chat
        ON deliveries (brief_id, chat_id) WHERE brief_id IS NOT NULL;
    CREATE UNIQUE INDEX deliveries_one_per_broadcast_chat
        ON deliveries (broadcast_id, chat_id) WHERE broadcast_id IS NOT NULL;
    -- fresh rows of one kind, oldest first: (priority = ?, not_before IS NULL) ORDER BY id
    CREATE INDEX deliveries_pending
        ON deliveries (priority, not_before, id) WHERE status = 'pending';
    -- rows held back by a backoff: the due ones, and the earliest retry time
    CREATE INDEX deliveries_retry
        ON deliveries (not_before) WHERE status = 'pending' AND not_before IS NOT NULL;
    CREATE INDEX deliveries_expiry
        ON deliveries (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
    CREATE INDEX deliveries_uncertain
        ON deliveries (status) WHERE status IN ('expired', 'unknown');
    CREATE INDEX deliveries_by_chat ON deliveries (chat_id, status);
    """,
    # 5: stories — one event as reported by one or more sources.  Every brief belongs to one
    # story and keeps the matcher's features (so the in-memory index is rebuilt at start
    # without lemmatising); every brief of an older database becomes a one-report story of
    # the same id.  Chats get the mode of delivery they want.
    """
    CREATE TABLE stories (
        id             INTEGER PRIMARY KEY,
        first_seen_at  TEXT NOT NULL,
        updated_at     TEXT NOT NULL,               -- the last report joined
        best_brief_id  INTEGER REFERENCES briefs (id),
        title          TEXT NOT NULL,               -- the best brief's
        html           TEXT NOT NULL,               -- the story's message, as of its last report
        source_count   INTEGER NOT NULL DEFAULT 1,  -- distinct sources
        importance     REAL NOT NULL DEFAULT 0,
        is_top         INTEGER NOT NULL DEFAULT 0,
        top_at         TEXT,                        -- when it became top
        pushed_at      TEXT,                        -- when it was first handed to delivery
        explain        TEXT NOT NULL DEFAULT '',    -- the importance, in one line
        lemmas         TEXT NOT NULL DEFAULT '[]'   -- JSON list: the best brief's title+summary
    );
    CREATE INDEX stories_by_first_seen ON stories (first_seen_at);
    CREATE INDEX stories_by_updated ON stories (updated_at);
    CREATE INDEX stories_by_top ON stories (top_at) WHERE top_at IS NOT NULL;
    INSERT INTO stories (id, first_seen_at, updated_at, best_brief_id, title, html, pushed_at,
                         explain)
        SELECT b.id, b.created_at, b.created_at, b.id, b.title, b.html,
               CASE WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.brief_id = b.id)
                    THEN b.created_at END,
               'one report, from before stories'
        FROM briefs b;
    ALTER TABLE briefs ADD COLUMN story_id INTEGER REFERENCES stories (id);
    ALTER TABLE briefs ADD COLUMN features TEXT;    -- JSON: the matcher's ArticleFeatures
    UPDATE briefs SET story_id = id;
    CREATE INDEX briefs_by_story ON briefs (story_id, created_at);
    CREATE INDEX articles_by_fetched ON articles (fetched_at);  -- /stats: items today
    ALTER TABLE chats ADD COLUMN mode TEXT NOT NULL DEFAULT 'all'
        CHECK (mode IN ('all', 'top', 'digest'));
    -- The ledger is keyed by what is delivered: (kind, ref) — a story or a broadcast now,
    -- later a digest or a loss-counter post — one row per (kind, ref, chat).  No CHECK on
    -- kind: a new kind is a code change, not a table rebuild (storage/deliveries.py is the
    -- only writer).  Brief rows become story rows (story id = brief id, see above).
    CREATE TABLE deliveries_v5 (
        id            INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL,                  -- story | broadcast
        ref           INTEGER NOT NULL,               -- stories.id | broadcasts.id
        chat_id       INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE,
        priority      INTEGER NOT NULL,               -- the queue: 1 story, 2 broadcast
        status        TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sent', 'failed', 'skipped',
                                        'expired',    -- too old to send: never sent
                                        'unknown')),  -- the send timed out: maybe delivered
        attempts      INTEGER NOT NULL DEFAULT 0,
        not_before    TEXT,                           -- earliest retry time
        last_error    TEXT,
        message_id    INTEGER,                        -- Telegram's id, set only after OK
        created_at    TEXT NOT NULL,
        sent_at       TEXT,
        expires_at    TEXT                            -- NULL: never expires
    );
    INSERT INTO deliveries_v5 (id, kind, ref, chat_id, priority, status, attempts, not_before,
                               last_error, message_id, created_at, sent_at, expires_at)
        SELECT id, CASE WHEN brief_id IS NOT NULL THEN 'story' ELSE 'broadcast' END,
               COALESCE(brief_id, broadcast_id), chat_id, priority, status, attempts,
               not_before, last_error, message_id, created_at, sent_at, expires_at
        FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v5 RENAME TO deliveries;
    CREATE UNIQUE INDEX deliveries_one_per_chat ON deliveries (kind, ref, chat_id);
    -- the queue indexes of migration 4, as they were
    CREATE INDEX deliveries_pending
        ON deliveries (priority, not_before, id) WHERE status = 'pending';
    CREATE INDEX deliveries_retry
        ON deliveries (not_before) WHERE status = 'pending' AND not_before IS NOT NULL;
    CREATE INDEX deliveries_expiry
        ON deliveries (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
    CREATE INDEX deliveries_uncertain
        ON deliveries (status) WHERE status IN ('expired', 'unknown');
    CREATE INDEX deliveries_by_chat ON deliveries (chat_id, status);
    """,
    # 6: what each chat chooses (the mode came with 5): quiet hours, words to follow or mute,
    # sources switched off, and the digests.  Existing chats keep mode 'all' and get quiet
    # hours off.  A digest is built once per digest time; its messages (one for most chats,
    # a variant for a chat whose mutes, sources or instant follows leave out some of its
    # stories) are ledger rows of kind 'digest' whose ref is digest_messages.id.
    """
    ALTER TABLE chats ADD COLUMN quiet INTEGER NOT NULL DEFAULT 0;  -- quiet hours on
    CREATE TABLE chat_words (
        chat_id     INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('follow', 'mute')),
        lemma       TEXT NOT NULL,                  -- matched against stories.lemmas
        word        TEXT NOT NULL,                  -- as the subscriber wrote it
        created_at  TEXT NOT NULL,
        PRIMARY KEY (chat_id, kind, lemma)
    ) WITHOUT ROWID;
    CREATE INDEX chat_words_by_lemma ON chat_words (kind, lemma);
    CREATE TABLE chat_sources_off (
        chat_id    INTEGER NOT NULL REFERENCES chats (id) ON UPDATE CASCADE ON DELETE CASCADE,
        source_id  INTEGER NOT NULL REFERENCES sources (id),
        PRIMARY KEY (chat_id, source_id)
    ) WITHOUT ROWID;
    CREATE INDEX chat_sources_off_by_source ON chat_sources_off (source_id);
    CREATE INDEX stories_by_pushed ON stories (pushed_at) WHERE pushed_at IS NOT NULL;
    CREATE TABLE digests (
        id          INTEGER PRIMARY KEY,
        slot_at     TEXT NOT NULL UNIQUE,           -- the digest time it was built for
        since_at    TEXT NOT NULL,                  -- it covers stories handed over after …
        until_at    TEXT NOT NULL,                  -- … and up to this moment (its building)
        stories     TEXT NOT NULL,                  -- JSON: candidate ids, most important first
        recipients  INTEGER NOT NULL DEFAULT 0      -- ledger rows made
    );
    CREATE TABLE digest_messages (
        id         INTEGER PRIMARY KEY,
        digest_id  INTEGER NOT NULL REFERENCES digests (id),
        stories    TEXT NOT NULL,                   -- JSON: the story ids it lists
        html       TEXT NOT NULL,
        UNIQUE (digest_id, stories)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
