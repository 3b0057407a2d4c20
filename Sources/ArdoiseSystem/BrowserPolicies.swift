import ArdoiseCore
import FoundationEssentials
import Glibc

/// Installs, removes and shows the managed policies of every browser installed on the kiosk. An administrator's own
/// files are never overwritten: a Firefox `policies.json` of theirs gets ardoise's keys merged in (and back out at
/// removal) unless it sets one of them otherwise; a Chromium-family folder gets a file of ardoise's own beside theirs.
/// What ardoise wrote is recorded in `policies.record` in the state folder.
public struct BrowserPolicies: Sendable {
    /// `/` on a kiosk; a folder standing for it in tests.
    public var root: String
    public var stateDirectory: String
    public var settings: PolicySettings
    public var places: [PolicyPlace]

    public init(root: String = "/", stateDirectory: String, settings: PolicySettings, places: [PolicyPlace] = PolicyPlace.standard()) {
        self.root = root
        self.stateDirectory = stateDirectory
        self.settings = settings
        self.places = places
    }

    /// A policy file bigger than this is not read (no browser's is).
    static let sizeLimit = 1 << 20
    static let recordName = "policies.record"

    // MARK: What is there

    /// One file of one place, as it is now.
    public enum FileState: String, Sendable, Codable {
        /// No file.
        case absent
        /// Ardoise's, as the configuration asks.
        case current
        /// Ardoise's (or an administrator's with ardoise's keys merged in), from another configuration: install again.
        case outdated
        /// Ardoise's, changed by hand since it was written.
        case changed
        /// An administrator's file that does not hold ardoise's policies.
        case foreign
        /// Does not parse: Firefox then applies no policy at all, Chromium ignores that file.
        case broken
        /// A link or something other than a regular file: never followed, never written.
        case refused
    }

    public struct FileStatus: Sendable, Codable, Equatable {
        public var path: String
        public var state: FileState
        /// Policies of ardoise's that another file in the same folder sets otherwise (Chromium family).
        public var conflicts: [String]
        /// Other files of the folder that do not parse (Chromium ignores them).
        public var brokenNeighbours: [String]
    }

    public struct PlaceStatus: Sendable, Codable, Equatable {
        public var browser: String
        public var packaging: Packaging
        public var installed: Bool
        /// False when this packaging is not known to read managed policies.
        public var supported: Bool
        /// The place was seen read by a real browser (not only the packager's word).
        public var verified: Bool
        public var files: [FileStatus]

        /// Installed, and every file holds ardoise's policies as configured, parses and conflicts with nothing.
        public var protected: Bool {
            supported && files.allSatisfy { $0.state == .current && $0.conflicts.isEmpty }
        }
    }

    /// Every place, installed or not.
    public func show() -> [PlaceStatus] {
        // A record that does not read: no file is taken for ardoise's, so none is said to be in place.
        let record = (try? PolicyRecord.load(stateDirectory).get()) ?? PolicyRecord()
        return places.map { place in
            PlaceStatus(browser: place.browser, packaging: place.packaging, installed: isInstalled(place), supported: !place.files.isEmpty,
                        verified: place.verified, files: place.files.map { status(of: $0, format: place.format, record: record) })
        }
    }

    /// A Firefox `policies.json` is where a Firefox reads it (whatever it holds: a broken one is what the proof catches).
    public var firefoxPolicyFilePresent: Bool {
        places.filter { $0.format == .firefox }.flatMap(\.files).contains { if case .absent = read($0) { false } else { true } }
    }

    func isInstalled(_ place: PolicyPlace) -> Bool {
        place.installedMarkers.contains { lstatKind(absolute($0)) != nil }
    }

    func status(of file: String, format: PolicyFormat, record: PolicyRecord) -> FileStatus {
        var status = FileStatus(path: file, state: .absent, conflicts: [], brokenNeighbours: [])
        let wanted = desired(format)
        switch read(file) {
        case .absent: status.state = .absent
        case .refused: status.state = .refused
        case .bytes(let bytes):
            let entry = record.files[file]
            guard let document = JSONValue.parse(bytes, strict: format == .firefox)?.objectValue else { status.state = .broken; break }
            // Firefox's whole engine stops on a file without a "policies" object.
            if format == .firefox && document["policies"]?.objectValue == nil { status.state = .broken; break }
            if let entry, entry.written == Self.digest(bytes) {
                status.state = merged(entry: entry, format: format) == bytes ? .current : .outdated
            } else if entry != nil {
                status.state = .changed
            } else {
                status.state = .foreign
            }
        }
        if format == .chromium {
            let (conflicts, broken) = neighbours(of: file, wanted: wanted)
            status.conflicts = conflicts
            status.brokenNeighbours = broken
        }
        return status
    }

    /// What ardoise's file would hold now, from the recorded original (an administrator's Firefox file) and the settings.
    func merged(entry: PolicyRecord.Entry, format: PolicyFormat) -> [UInt8] {
        let wanted = desired(format)
        switch format {
        case .chromium: return JSONValue.object(wanted).fileBytes
        case .firefox:
            var document = entry.original.flatMap { JSONValue.parse($0)?.objectValue } ?? [:]
            var policies = document["policies"]?.objectValue ?? [:]
            policies.merge(wanted) { $1 }
            document["policies"] = .object(policies)
            return JSONValue.object(document).fileBytes
        }
    }

    func desired(_ format: PolicyFormat) -> [String: JSONValue] {
        format == .firefox ? settings.firefox : settings.chromium
    }

    /// In a Chromium-family folder, the other files' values for ardoise's policies, and those that do not parse.
    func neighbours(of file: String, wanted: [String: JSONValue]) -> (conflicts: [String], broken: [String]) {
        let folder = file.deletingLastPathComponent, own = file.lastPathComponent
        var conflicts: Set<String> = [], broken: [String] = []
        for name in SmallFile.names(in: absolute(folder)).sorted() where name.hasSuffix(".json") && name != own {
            let path = folder + "/" + name
            guard case .bytes(let bytes) = read(path) else { continue }
            guard let policies = JSONValue.parse(bytes)?.objectValue else { broken.append(path); continue }
            for (key, value) in wanted where policies[key] != nil && policies[key] != value { conflicts.insert("\(name): \(key)") }
        }
        return (conflicts.sorted(), broken)
    }

    // MARK: Install and remove

    /// What happened to one file.
    public struct FileChange: Sendable, Codable, Equatable {
        public enum Outcome: String, Sendable, Codable {
            case written, merged, unchanged, removed, restored, refused
        }
        public var browsers: [String]
        public var path: String
        public var outcome: Outcome
        /// Why it was refused, in both languages.
        public var reasonFrench: String?
        public var reasonEnglish: String?

        public func reason(_ language: Language) -> String? { language == .french ? reasonFrench : reasonEnglish }
    }

    /// Writes the policies of every installed browser (`all`: of every browser known, installed or not).
    public func install(all: Bool = false) -> [FileChange] {
        var record: PolicyRecord
        switch PolicyRecord.load(stateDirectory) {
        case .success(let loaded): record = loaded
        case .failure(let unreadable): return [recordChange(unreadable)]
        }
        var changes: [FileChange] = []
        for (file, format, browsers) in targets(all: all) {
            var change = installFile(file, format: format, record: &record)
            change.browsers = browsers
            changes.append(change)
        }
        if let failure = record.save(stateDirectory) { changes.append(recordChange(.cannotSave(failure))) }
        return changes
    }

    /// The record of what ardoise wrote cannot be read or saved: said, and (when unreadable) nothing is touched, since
    /// it holds what the administrators' files were before.
    func recordChange(_ problem: PolicyRecord.Problem) -> FileChange {
        var change = FileChange(browsers: [], path: stateDirectory + "/" + Self.recordName, outcome: .refused)
        switch problem {
        case .unreadable(let why):
            change.reasonFrench = "le relevé de ce qu'ardoise a écrit ne se lit pas (\(why)) : rien n'est changé, pour ne pas perdre ce que les fichiers des administrateurs contenaient avant ; déplacez-le pour repartir de zéro"
            change.reasonEnglish = "the record of what ardoise wrote does not read (\(why)): nothing is changed, so that what the administrators' files held before is not lost; move it away to start afresh"
        case .cannotSave(let why):
            change.reasonFrench = "le relevé de ce qui a été écrit n'a pas pu être enregistré : \(why)"
            change.reasonEnglish = "the record of what was written could not be saved: \(why)"
        }
        return change
    }

    /// Takes ardoise's policies out of every file it wrote: its own files go, an administrator's file gets back what it held.
    public func remove() -> [FileChange] {
        var record: PolicyRecord
        switch PolicyRecord.load(stateDirectory) {
        case .success(let loaded): record = loaded
        case .failure(let unreadable): return [recordChange(unreadable)]
        }
        var changes: [FileChange] = []
        let browsersByFile = Dictionary(grouping: places.flatMap { place in place.files.map { ($0, place.name) } }, by: \.0).mapValues { $0.map(\.1) }
        for file in record.files.keys.sorted() {
            guard let entry = record.files[file] else { continue }
            var change = FileChange(browsers: browsersByFile[file] ?? [], path: file, outcome: .removed)
            switch read(file) {
            case .absent:
                record.files[file] = nil
                change.outcome = .unchanged
            case .refused:
                change.outcome = .refused
                change.reasonFrench = "ce n'est plus un fichier ordinaire (un lien ?) : laissé tel quel"
                change.reasonEnglish = "no longer a regular file (a link?): left as it is"
            case .bytes(let bytes) where entry.written == Self.digest(bytes):
                if let original = entry.original {
                    change.outcome = .restored
                    if let why = write(file, original) { change.refuse(why) }
                } else if unlink(absolute(file)) != 0 && errno != ENOENT {
                    change.refuse(SmallFile.reason())
                }
                if change.outcome != .refused { record.files[file] = nil }
            case .bytes(let bytes):
                // Changed by hand since: only ardoise's own keys are taken out of a Firefox file; a Chromium file is theirs now.
                if entry.format == .firefox, var document = JSONValue.parse(bytes)?.objectValue, var policies = document["policies"]?.objectValue {
                    for key in entry.added { policies[key] = nil }
                    document["policies"] = .object(policies)
                    if let why = write(file, JSONValue.object(document).fileBytes) { change.refuse(why) } else {
                        change.outcome = .restored
                        record.files[file] = nil
                    }
                } else {
                    change.outcome = .refused
                    change.reasonFrench = "modifié à la main depuis qu'ardoise l'a écrit : laissé tel quel (supprimez-le vous-même s'il ne sert plus)"
                    change.reasonEnglish = "changed by hand since ardoise wrote it: left as it is (delete it yourself if it is no longer needed)"
                }
            }
            changes.append(change)
        }
        if let failure = record.save(stateDirectory) { changes.append(recordChange(.cannotSave(failure))) }
        return changes
    }

    /// Each file to write once (Firefox's deb and snap read the same one), with the browsers it serves.
    func targets(all: Bool) -> [(String, PolicyFormat, [String])] {
        var order: [String] = [], formats: [String: PolicyFormat] = [:], browsers: [String: [String]] = [:]
        for place in places where all || isInstalled(place) {
            for file in place.files {
                if formats[file] == nil { order.append(file); formats[file] = place.format }
                browsers[file, default: []].append(place.name)
            }
        }
        return order.map { ($0, formats[$0]!, browsers[$0]!) }
    }

    func installFile(_ file: String, format: PolicyFormat, record: inout PolicyRecord) -> FileChange {
        var change = FileChange(browsers: [], path: file, outcome: .written)
        let wanted = desired(format)
        var entry = PolicyRecord.Entry(format: format, written: "", original: nil, added: wanted.keys.sorted())
        switch read(file) {
        case .refused:
            change.outcome = .refused
            change.reasonFrench = "ce n'est pas un fichier ordinaire (un lien ?) : jamais suivi ni remplacé"
            change.reasonEnglish = "not a regular file (a link?): never followed nor replaced"
            return change
        case .absent: break
        case .bytes(let bytes):
            let known = record.files[file]
            if let known, known.written == Self.digest(bytes) {
                // Ardoise's own file: written again from the same original, with the settings of now.
                entry.original = known.original
                entry.added = known.original.flatMap { JSONValue.parse($0)?.objectValue?["policies"]?.objectValue }.map { theirs in
                    wanted.keys.filter { theirs[$0] == nil }.sorted()
                } ?? wanted.keys.sorted()
            } else if format == .chromium {
                guard known != nil else {
                    change.outcome = .refused
                    change.reasonFrench = "un fichier de ce nom existe déjà et n'est pas d'ardoise : laissé tel quel ; renommez-le puis recommencez"
                    change.reasonEnglish = "a file of this name already exists and is not ardoise's: left as it is; rename it, then run again"
                    return change
                }
                // Ardoise's file, edited by hand: the name is ardoise's, its content comes from [policies].
            } else {
                guard let document = JSONValue.parse(bytes, strict: true)?.objectValue, let theirs = document["policies"]?.objectValue else {
                    change.outcome = .refused
                    change.reasonFrench = "ce fichier ne se lit pas (JSON invalide, ou sans objet \"policies\") : Firefox n'applique alors aucune règle ; corrigez-le ou déplacez-le, puis recommencez"
                    change.reasonEnglish = "this file does not parse (invalid JSON, or no \"policies\" object): Firefox then applies no policy at all; fix it or move it away, then run again"
                    return change
                }
                // A key ardoise itself added earlier (another configuration then) is not the administrator's.
                let conflicts = wanted.keys.filter { theirs[$0] != nil && theirs[$0] != wanted[$0] && !(known?.added.contains($0) ?? false) }.sorted()
                guard conflicts.isEmpty else {
                    change.outcome = .refused
                    change.reasonFrench = "ce fichier d'un administrateur règle autrement \(conflicts.joined(separator: ", ")) : laissé tel quel ; changez ces clés à la main ou dans [policies], puis recommencez"
                    change.reasonEnglish = "this administrator's file sets \(conflicts.joined(separator: ", ")) otherwise: left as it is; change these keys by hand or in [policies], then run again"
                    return change
                }
                // Changed by hand since ardoise merged into it: what it holds now is the administrator's, less ardoise's own keys.
                var original = document
                if let known {
                    var kept = theirs
                    for key in known.added { kept[key] = nil }
                    original["policies"] = .object(kept)
                }
                entry.original = known == nil ? bytes : JSONValue.object(original).fileBytes
                entry.added = wanted.keys.filter { (original["policies"]?.objectValue ?? [:])[$0] == nil }.sorted()
                change.outcome = .merged
            }
        }
        if format == .chromium {
            let conflicts = neighbours(of: file, wanted: wanted).conflicts
            guard conflicts.isEmpty else {
                change.outcome = .refused
                change.reasonFrench = "un autre fichier du dossier règle autrement \(conflicts.joined(separator: ", ")) (le navigateur ne dit pas lequel gagne) : rien n'est écrit ; accordez-les, puis recommencez"
                change.reasonEnglish = "another file of the folder sets \(conflicts.joined(separator: ", ")) otherwise (the browser does not say which wins): nothing written; make them agree, then run again"
                return change
            }
        }
        let bytes = merged(entry: entry, format: format)
        if case .bytes(let now) = read(file), now == bytes, record.files[file]?.written == Self.digest(now) {
            change.outcome = .unchanged
            return change
        }
        if let why = makeFolders(for: file) ?? write(file, bytes) {
            change.refuse(why)
            return change
        }
        entry.written = Self.digest(bytes)
        record.files[file] = entry
        if entry.original != nil { change.outcome = .merged }
        return change
    }

    /// Creates the folders down to the file, readable by all (the browsers run as the kiosk account).
    func makeFolders(for file: String) -> String? {
        var path = ""
        for part in file.deletingLastPathComponent.split(separator: "/") {
            path += "/" + part
            let target = absolute(path)
            if mkdir(target, 0o755) != 0 {
                guard errno == EEXIST else { return "\(path): \(SmallFile.reason())" }
                // A link planted in place of a folder is never followed.
                guard lstatKind(target) == S_IFDIR else { return "\(path): " + SmallFile.reason(ENOTDIR) }
            } else {
                chmod(target, 0o755)
            }
        }
        return nil
    }

    // MARK: Files

    /// A policy file written whole and renamed into place, readable by all (the browsers run as the kiosk account).
    func write(_ file: String, _ bytes: [UInt8]) -> String? {
        SmallFile.removeLeftovers(of: absolute(file))
        return SmallFile.replace(absolute(file), with: bytes, mode: 0o644)
    }

    enum Contents { case absent, refused, bytes([UInt8]) }

    func read(_ file: String) -> Contents {
        let path = absolute(file)
        switch lstatKind(path) {
        case nil: return .absent
        case S_IFREG: return SmallFile.contents(path, limit: Self.sizeLimit).map { .bytes($0) } ?? .refused
        default: return .refused
        }
    }

    func lstatKind(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & S_IFMT
    }

    func absolute(_ path: String) -> String { root == "/" ? path : root + path }

    static func digest(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(cFormat: "%02x", $0) }.joined() }
}

extension BrowserPolicies.FileChange {
    mutating func refuse(_ why: String) {
        outcome = .refused
        reasonFrench = "écriture impossible : \(why)"
        reasonEnglish = "cannot write: \(why)"
    }
}

/// What ardoise wrote where (the file's digest), and what an administrator's file held before (to give it back).
struct PolicyRecord: Codable, Sendable {
    struct Entry: Codable, Sendable, Equatable {
        var format: PolicyFormat
        /// SHA-256 of the bytes written.
        var written: String
        /// The administrator's file before ardoise merged into it.
        var original: [UInt8]?
        /// The policies ardoise added (taken out again at removal).
        var added: [String]
    }
    var files: [String: Entry] = [:]

    enum Problem: Error {
        case unreadable(String)
        case cannotSave(String)
    }

    /// Empty when there is none yet; a failure when there is one that does not read (never taken for an empty one).
    static func load(_ stateDirectory: String) -> Result<PolicyRecord, Problem> {
        let path = stateDirectory + "/" + BrowserPolicies.recordName
        var info = stat()
        if lstat(path, &info) != 0 {
            return errno == ENOENT ? .success(PolicyRecord()) : .failure(.unreadable(SmallFile.reason()))
        }
        guard let bytes = SmallFile.contents(path, limit: 16 << 20) else { return .failure(.unreadable(SmallFile.reason())) }
        guard let record = try? JSONDecoder().decode(PolicyRecord.self, from: Data(bytes)) else { return .failure(.unreadable("not JSON of ardoise's")) }
        return .success(record)
    }

    func save(_ stateDirectory: String) -> String? {
        if mkdir(stateDirectory, 0o700) != 0 && errno != EEXIST { return "\(stateDirectory): \(SmallFile.reason())" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self) else { return "encoding" }
        let path = stateDirectory + "/" + BrowserPolicies.recordName
        SmallFile.removeLeftovers(of: path)
        return SmallFile.replace(path, with: Array(data))
    }
}
