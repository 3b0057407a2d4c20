import CSQLite

/// Firefox keeps bookmarks and history in one database, `places.sqlite`: a reference keeps the administrator's bookmarks
/// and loses every visit. Run on the root-only copy a capture makes, never on a file in a user's home.
enum PlacesHistory {
    /// Tables that only ever hold what was visited, searched or typed.
    static let historyTables = ["moz_historyvisits", "moz_historyvisits_extra", "moz_inputhistory", "moz_places_metadata",
                                "moz_places_metadata_search_queries", "moz_previews_tombstones", "moz_places_extra",
                                "moz_bookmarks_deleted", "moz_newtab_story_click", "moz_newtab_story_impression",
                                "moz_newtab_shortcuts_interaction"]

    /// Removes the history from the database at `path`, keeping the bookmarks and their places; the freed pages are
    /// rewritten (`VACUUM`) so nothing of a visit stays in the file. Throws when the file is not a database it can clean.
    static func scrub(_ path: String) throws {
        // A database from a home is not trusted: its schema runs no function, and no extension loads.
        let database = try SQLiteDatabase(path: path) { db in
            try db.execute(sql: "PRAGMA trusted_schema = OFF")
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        try database.withConnection { db in
            // The WAL folded back into the file, then none: the copy is one file.
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.inTransaction(.immediate) {
                let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                guard tables.contains("moz_places"), tables.contains("moz_bookmarks") else { throw SQLiteError(code: SQLITE_ERROR, message: "not a Firefox places database") }
                for table in historyTables where tables.contains(table) { try db.execute(sql: "DELETE FROM \(table)") }
                let kept = "SELECT fk FROM moz_bookmarks WHERE fk IS NOT NULL"
                    + (tables.contains("moz_keywords") ? " UNION SELECT place_id FROM moz_keywords" : "")
                if tables.contains("moz_annos") { try db.execute(sql: "DELETE FROM moz_annos WHERE place_id NOT IN (\(kept))") }
                try db.execute(sql: "DELETE FROM moz_places WHERE id NOT IN (\(kept))")
                try db.execute(sql: "UPDATE moz_places SET visit_count = 0, last_visit_date = NULL")
                if tables.contains("moz_origins") {
                    try db.execute(sql: "DELETE FROM moz_origins WHERE id NOT IN (SELECT origin_id FROM moz_places WHERE origin_id IS NOT NULL)")
                }
            }
            try db.execute(sql: "VACUUM")
        }
    }
}
