"""Versioned schema of the project store. Each migration runs once, in order, in one transaction.

Add a migration by appending to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: messages, sources, quarantine, subjects, settings, audit log
    """
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL                       -- JSON
    );
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        location TEXT NOT NULL UNIQUE,            -- path as given by the user
        format TEXT NOT NULL,
        first_imported_at TEXT NOT NULL,
        last_imported_at TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        msg_key TEXT NOT NULL UNIQUE,             -- keyed HMAC ID, the only ID that ever leaves
        source_id INTEGER REFERENCES sources(id),
        source_location TEXT NOT NULL,            -- file, and offset or row inside it
        sent_at TEXT,                             -- ISO 8601, UTC
        from_name TEXT,
        from_addr TEXT,
        to_addrs TEXT NOT NULL DEFAULT '[]',      -- JSON list of addresses
        cc_addrs TEXT NOT NULL DEFAULT '[]',
        subject TEXT,
        body TEXT NOT NULL,
        body_kind TEXT NOT NULL,                  -- plain | html | rtf | record
        attachment_count INTEGER NOT NULL DEFAULT 0,
        attachment_types TEXT NOT NULL DEFAULT '[]',
        flags TEXT NOT NULL DEFAULT '[]',         -- e.g. charset_fallback, body_truncated
        label TEXT,
        label_source TEXT,                        -- import | annotator | model
        size_bytes INTEGER NOT NULL,
        imported_at TEXT NOT NULL
    );
    CREATE INDEX ix_messages_label ON messages(label);
    CREATE TABLE message_subjects (               -- who a message is about, by keyed subject ID
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        subject_key TEXT NOT NULL,
        role TEXT NOT NULL,                       -- from | to | cc
        PRIMARY KEY (message_id, subject_key, role)
    );
    CREATE INDEX ix_message_subjects_key ON message_subjects(subject_key);
    CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY,
        item_key TEXT NOT NULL UNIQUE,            -- keyed digest of location + bytes: re-runs do not repeat
        source_id INTEGER REFERENCES sources(id),
        location TEXT NOT NULL,
        reason TEXT NOT NULL,                     -- a code from scrubdesk.core.ingest.QuarantineReason
        detail TEXT NOT NULL,                     -- never contains message text
        size_bytes INTEGER,
        created_at TEXT NOT NULL
    );
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        objects TEXT NOT NULL,                    -- JSON list of keyed IDs, never personal data
        details TEXT NOT NULL,                    -- JSON of counts and settings
        prev_mac TEXT NOT NULL,
        mac TEXT NOT NULL
    );
    """,
    # 2: PII spans per message field, and the analysis fingerprint that makes `analyze` incremental
    """
    CREATE TABLE spans (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        field TEXT NOT NULL CHECK (field IN ('body', 'subject')),
        start INTEGER NOT NULL CHECK (start >= 0),
        "end" INTEGER NOT NULL CHECK ("end" >= start),
        label TEXT NOT NULL,                      -- entity type, e.g. PERSON, UK_POSTCODE
        score REAL NOT NULL,
        recognizer TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('suggested', 'accepted', 'rejected', 'added')),
        analyzer_version TEXT NOT NULL            -- which analyser and configuration suggested it
    );
    CREATE INDEX ix_spans_message ON spans(message_id, field);
    CREATE INDEX ix_spans_label ON spans(label);
    CREATE TABLE analysis_state (                 -- one row per analysed message
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,                -- keyed digest of analyser version + message content
        analyzed_at TEXT NOT NULL
    );
    """,
    # 3: roles, reviewer approval, trained-model lineage and the model's suggestions
    """
    CREATE TABLE roles (
        os_user TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'annotator')),
        granted_by TEXT NOT NULL,
        granted_at TEXT NOT NULL
    );
    CREATE TABLE reviews (                        -- the current review decision per message
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'sent_back')),
        fingerprint TEXT,                         -- analysis_state.fingerprint that was approved
        reviewer TEXT NOT NULL,                   -- OS user
        role TEXT NOT NULL,
        comment TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX ix_reviews_status ON reviews(status);
    CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        path TEXT NOT NULL,                       -- relative to the project directory
        n_train INTEGER NOT NULL,
        msg_list_digest TEXT NOT NULL,            -- keyed digest of the sorted training msg_keys
        labels TEXT NOT NULL,                     -- JSON list
        metrics TEXT NOT NULL,                    -- JSON
        audit TEXT NOT NULL,                      -- JSON
        settings TEXT NOT NULL,                   -- JSON
        stale INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE model_members (                  -- which messages trained which model (lineage)
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,              -- no FK: erasure marks the model stale, then deletes
        PRIMARY KEY (model_id, message_id)
    );
    CREATE INDEX ix_model_members_message ON model_members(message_id);
    CREATE TABLE predictions (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        confidence REAL NOT NULL,
        uncertainty REAL NOT NULL,                -- 1 - margin of the top two classes: higher = ask first
        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        predicted_at TEXT NOT NULL
    );
    CREATE INDEX ix_predictions_uncertainty ON predictions(uncertainty DESC);
    """,
    # 4: the GDPR layer: label set, registered exports, erasure certificates, consent, purge marker
    """
    CREATE TABLE label_set (                      -- the project's intent labels, in display order
        name TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE exports (                        -- every file of IDs + labels that left the store
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        path TEXT NOT NULL,                       -- where it was written, as given by the user
        format TEXT NOT NULL,                     -- csv | jsonl | parquet
        columns TEXT NOT NULL,                    -- JSON list: exactly the columns that left
        n_rows INTEGER NOT NULL,
        model_id INTEGER REFERENCES models(id) ON DELETE SET NULL,
        msg_list_digest TEXT NOT NULL,            -- keyed digest of the sorted exported msg_keys
        file_sha256 TEXT NOT NULL,
        stale INTEGER NOT NULL DEFAULT 0          -- 1 once a message in it was erased
    );
    CREATE TABLE export_members (                 -- which messages each export holds (lineage)
        export_id INTEGER NOT NULL REFERENCES exports(id) ON DELETE CASCADE,
        message_id INTEGER NOT NULL,              -- no FK: erasure marks the export stale, then deletes
        PRIMARY KEY (export_id, message_id)
    );
    CREATE INDEX ix_export_members_message ON export_members(message_id);
    CREATE TABLE erasures (                       -- erasure certificates: what, where, when, by whom
        id INTEGER PRIMARY KEY,
        certificate_id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        role TEXT NOT NULL,
        n_messages INTEGER NOT NULL,
        n_spans INTEGER NOT NULL,
        models_marked_stale TEXT NOT NULL,        -- JSON list of model IDs
        exports_marked_stale TEXT NOT NULL,       -- JSON list of export IDs
        certificate_path TEXT,
        certificate_sha256 TEXT
    );
    CREATE TABLE consent (                        -- consenting data subjects, by keyed subject ID only
        subject_key TEXT PRIMARY KEY,
        list_name TEXT NOT NULL,                  -- the file or list it came from (no personal data)
        imported_at TEXT NOT NULL
    );
    -- set when a retention purge removed the message's content (a trailing comment here would be
    -- copied into the table's stored CREATE statement and break it)
    ALTER TABLE messages ADD COLUMN purged_at TEXT
    """,
    # 5: keyed IDs of erased messages, so re-importing the same mail does not bring them back
    """
    CREATE TABLE erased_messages (
        msg_key TEXT PRIMARY KEY,                 -- keyed HMAC ID only: no content, no address
        certificate_id TEXT NOT NULL              -- the erasure that removed it
    );
    """,
    # 6: why a model is stale ('erasure' or 'redaction-policy'); NULL for current models and for models
    # marked stale before this column existed (all of those by erasure)
    """
    ALTER TABLE models ADD COLUMN stale_reason TEXT
    """,
    # 7: the numeric OS user ID beside the account name in every audit entry (NULL in entries written
    # before; the entry MAC covers it when present)
    """
    ALTER TABLE audit_log ADD COLUMN os_uid TEXT
    """,
    # 8: the language the analyser detected in each message, and whether it could read it (a message in
    # a language it does not read is flagged for review by hand and kept out of approve-all)
    """
    ALTER TABLE analysis_state ADD COLUMN language TEXT;
    ALTER TABLE analysis_state ADD COLUMN language_supported INTEGER NOT NULL DEFAULT 1
    """,
    # 9: message identity = ID and content. id_key: keyed ID of the Message-ID (or CSV/JSON record ID) that
    # every copy of the message shares, NULL when it has none; content_key: keyed digest of subject and
    # body, NULL for rows stored before this migration (derived from the row when needed). Before, msg_key
    # was the keyed Message-ID, so it is the id_key of every older row (harmless for rows keyed otherwise).
    """
    ALTER TABLE messages ADD COLUMN id_key TEXT;
    ALTER TABLE messages ADD COLUMN content_key TEXT;
    UPDATE messages SET id_key = msg_key;
    CREATE INDEX ix_messages_id_key ON messages(id_key);
    """,
    # 10: the triage model's embedding of each message's approved, scrubbed text (issue 16), so retraining
    # embeds nothing twice. text_digest is a keyed digest of the scrubbed text it was computed from: a
    # changed text (policy, review) no longer matches and is embedded again. Removed with the message
    # (erasure deletes it, cascade) and by a retention purge (core.db.maintenance.purge_content).
    """
    CREATE TABLE embeddings (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        embedder TEXT NOT NULL,                   -- embedder name, release and weights digest
        text_digest TEXT NOT NULL,                -- keyed digest of the scrubbed text embedded
        vector BLOB NOT NULL,                     -- float32, little-endian
        PRIMARY KEY (message_id, embedder)
    );
    """,
    # 11: team annotation. Who is to label what (assignments), each person's own label of a message
    # (annotations: the message's label column holds the agreed, adjudicated or single-annotator label),
    # the label-review queue (disagreements and samples a reviewer decides), and the held-out split.
    # Annotators and reviewers are OS account names, as in the roles table.
    """
    CREATE TABLE assignments (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        annotator TEXT NOT NULL,
        assigned_by TEXT NOT NULL,
        assigned_at TEXT NOT NULL,
        PRIMARY KEY (message_id, annotator)
    );
    CREATE INDEX ix_assignments_annotator ON assignments(annotator, assigned_at);
    CREATE TABLE annotations (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        annotator TEXT NOT NULL,
        label TEXT NOT NULL,
        source TEXT NOT NULL,                     -- annotator | bulk
        seconds REAL,                             -- time from showing the message to labelling it
        at TEXT NOT NULL,
        PRIMARY KEY (message_id, annotator)
    );
    CREATE INDEX ix_annotations_annotator ON annotations(annotator, at);
    CREATE TABLE label_reviews (                  -- the current label review per message
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        reason TEXT NOT NULL CHECK (reason IN ('disagreement', 'sample', 'spot_check')),
        status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
        queued_by TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        label TEXT,                               -- the reviewer's decision
        reviewer TEXT,
        role TEXT,
        comment TEXT,                             -- free text: never in the audit log, purged and scrubbed
        resolved_at TEXT
    );
    CREATE INDEX ix_label_reviews_status ON label_reviews(status, queued_at);
    CREATE TABLE splits (                         -- the held-out split: test messages never train
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('train', 'test')),
        at TEXT NOT NULL
    );
    CREATE INDEX ix_splits_split ON splits(split);
    """,
    # 12: messages a person must review by hand, found from two small partial indexes instead of a pass over
    # every body (the message list counts them on every refresh): another language, an undecodable body.
    """
    CREATE INDEX ix_analysis_unsupported ON analysis_state(message_id) WHERE language_supported = 0;
    CREATE INDEX ix_messages_undecoded ON messages(id) WHERE instr(flags, '"undecoded_body"') > 0;
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
