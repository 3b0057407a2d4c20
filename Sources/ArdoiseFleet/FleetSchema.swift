/// The fleet store's tables and rights on PostgreSQL. A kiosk's account can add its own journals' events and read back
/// only where it stopped; it can change or delete nothing, and sees no other kiosk. Readers (the console) read all.
/// Only the owner (who ran `ardoise-fleet init`) purges, and the purge keeps each journal's chain checkable.
enum FleetSchema {
    static let version = 1
    static let kioskGroup = "ardoise_fleet_kiosk"
    static let readerGroup = "ardoise_fleet_reader"
    /// Kiosk accounts are named after their kiosk, with this prefix.
    static let kioskRolePrefix = "ardoise_kiosk_"

    /// Run in one transaction; running it again changes nothing.
    static let statements: [String] = [
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(kioskGroup)') THEN CREATE ROLE \(kioskGroup) NOLOGIN; END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(readerGroup)') THEN CREATE ROLE \(readerGroup) NOLOGIN; END IF;
        END $$
        """,
        "CREATE SCHEMA IF NOT EXISTS ardoise_fleet",
        "REVOKE ALL ON SCHEMA ardoise_fleet FROM PUBLIC",
        "CREATE TABLE IF NOT EXISTS ardoise_fleet.schema_version (version integer NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS ardoise_fleet.kiosk (
            name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
            role name NOT NULL UNIQUE,
            enrolled_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        // The kiosk whose account is connected; null for any other account.
        """
        CREATE OR REPLACE FUNCTION ardoise_fleet.current_kiosk() RETURNS text LANGUAGE sql STABLE
            AS $$ SELECT name FROM ardoise_fleet.kiosk WHERE role = current_user $$
        """,
        """
        CREATE TABLE IF NOT EXISTS ardoise_fleet.journal (
            id text PRIMARY KEY,
            kiosk text NOT NULL DEFAULT ardoise_fleet.current_kiosk() REFERENCES ardoise_fleet.kiosk(name),
            anchor_seq bigint NOT NULL,
            anchor_chain bytea NOT NULL,
            anchor_seal bytea NOT NULL,
            first_seen timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS ardoise_fleet.event (
            journal text NOT NULL REFERENCES ardoise_fleet.journal(id),
            seq bigint NOT NULL,
            at bigint NOT NULL,
            kind text NOT NULL,
            host text NOT NULL,
            seat text,
            session text,
            uid bigint,
            "user" text,
            duration_us bigint,
            outcome text,
            detail text NOT NULL,
            epoch bigint NOT NULL,
            chain bytea NOT NULL,
            seal bytea NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (journal, seq)
        )
        """,
        "CREATE INDEX IF NOT EXISTS event_at ON ardoise_fleet.event (at)",
        // What was done with the store, by which account: the server sets both the time and the account.
        """
        CREATE TABLE IF NOT EXISTS ardoise_fleet.action (
            at timestamptz NOT NULL DEFAULT now(),
            account name NOT NULL DEFAULT current_user,
            action text NOT NULL,
            detail text NOT NULL
        )
        """,
        "ALTER TABLE ardoise_fleet.action ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS readers ON ardoise_fleet.action",
        "CREATE POLICY readers ON ardoise_fleet.action FOR SELECT TO \(readerGroup) USING (true)",
        "DROP POLICY IF EXISTS own_name ON ardoise_fleet.action",
        "CREATE POLICY own_name ON ardoise_fleet.action FOR INSERT TO \(readerGroup) WITH CHECK (account = current_user)",
        "ALTER TABLE ardoise_fleet.kiosk ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE ardoise_fleet.journal ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE ardoise_fleet.event ENABLE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS own ON ardoise_fleet.kiosk",
        "CREATE POLICY own ON ardoise_fleet.kiosk FOR SELECT TO \(kioskGroup) USING (role = current_user)",
        "DROP POLICY IF EXISTS own ON ardoise_fleet.journal",
        """
        CREATE POLICY own ON ardoise_fleet.journal FOR ALL TO \(kioskGroup)
            USING (kiosk = ardoise_fleet.current_kiosk()) WITH CHECK (kiosk = ardoise_fleet.current_kiosk())
        """,
        "DROP POLICY IF EXISTS own ON ardoise_fleet.event",
        """
        CREATE POLICY own ON ardoise_fleet.event FOR ALL TO \(kioskGroup)
            USING (EXISTS (SELECT 1 FROM ardoise_fleet.journal j WHERE j.id = journal AND j.kiosk = ardoise_fleet.current_kiosk()))
            WITH CHECK (EXISTS (SELECT 1 FROM ardoise_fleet.journal j WHERE j.id = journal AND j.kiosk = ardoise_fleet.current_kiosk()))
        """,
        "DROP POLICY IF EXISTS everything ON ardoise_fleet.kiosk",
        "CREATE POLICY everything ON ardoise_fleet.kiosk FOR SELECT TO \(readerGroup) USING (true)",
        "DROP POLICY IF EXISTS everything ON ardoise_fleet.journal",
        "CREATE POLICY everything ON ardoise_fleet.journal FOR SELECT TO \(readerGroup) USING (true)",
        "DROP POLICY IF EXISTS everything ON ardoise_fleet.event",
        "CREATE POLICY everything ON ardoise_fleet.event FOR SELECT TO \(readerGroup) USING (true)",
        "REVOKE ALL ON ALL TABLES IN SCHEMA ardoise_fleet FROM \(kioskGroup), \(readerGroup)",
        "GRANT USAGE ON SCHEMA ardoise_fleet TO \(kioskGroup), \(readerGroup)",
        "GRANT SELECT ON ardoise_fleet.kiosk TO \(kioskGroup), \(readerGroup)",
        // The kiosk column and the times are the server's: a kiosk names neither.
        "GRANT SELECT (id, kiosk, anchor_seq), INSERT (id, anchor_seq, anchor_chain, anchor_seal) ON ardoise_fleet.journal TO \(kioskGroup)",
        """
        GRANT SELECT (journal, seq, chain),
              INSERT (journal, seq, at, kind, host, seat, session, uid, "user", duration_us, outcome, detail, epoch, chain, seal)
            ON ardoise_fleet.event TO \(kioskGroup)
        """,
        "GRANT SELECT ON ardoise_fleet.journal, ardoise_fleet.event, ardoise_fleet.schema_version TO \(readerGroup)",
        "GRANT SELECT, INSERT (action, detail) ON ardoise_fleet.action TO \(readerGroup)",
        "DELETE FROM ardoise_fleet.schema_version",
        "INSERT INTO ardoise_fleet.schema_version VALUES (\(version))",
    ]
}
