import ArdoiseCore
import CCups
import FoundationEssentials
import Glibc

/// The print jobs of an account in CUPS (pending, held, done), cancelled and purged at each wipe, so that neither the
/// document (`/var/spool/cups/d*`) nor its name (the `c*` job history) stays: each job of the account cancelled with
/// `purge-job`, through libcups over CUPS's local socket. Where CUPS is not running, nothing happens.
public enum PrintJobs {
    public struct Purge: Sendable, Equatable, Codable {
        /// How many jobs of the account CUPS no longer has (a count, never a title).
        public var jobs: Int
        /// CUPS's reason when it refused.
        public var failure: String?

        public init(jobs: Int, failure: String? = nil) {
            self.jobs = jobs
            self.failure = failure
        }
    }

    /// The purge made by a short-lived helper, `EXECUTABLE purge-print-jobs --user USER`: the service never loads libcups
    /// and the TLS, Kerberos and D-Bus libraries it brings (3.5 MB that would then stay for good). Its answer is a line of
    /// JSON, or `none` where there is no CUPS.
    public static func purge(user: String, helper executable: String) -> Purge? {
        let outcome = Subprocess.run(executable, [helperCommand, "--user", user])
        let answer = outcome.output.trimming(.whitespacesAndNewlines)
        guard outcome.code == 0 else { return Purge(jobs: 0, failure: "the print-job helper failed (exit \(outcome.code))") }
        if answer == "none" { return nil }
        guard let purge = try? JSONDecoder().decode(Purge.self, from: Data(answer.utf8)) else {
            return Purge(jobs: 0, failure: "the print-job helper's answer cannot be read")
        }
        return purge
    }

    /// The helper's command (hidden from the help).
    public static let helperCommand = "purge-print-jobs"

    /// Why CUPS could not be asked, in its own words.
    struct CupsRefusal: Error {
        var reason: String
    }

    /// The account's jobs purged; nil when there is no CUPS scheduler here. A CUPS that does not answer is a failure,
    /// never "nothing to purge".
    /// `server`: CUPS's local socket (the system's own by default).
    public static func purge(user: String, server: String? = nil) -> Purge? {
        // No libcups here, no CUPS scheduler either (cups-daemon depends on it).
        guard let cups = CupsLibrary.shared else { return nil }
        let server = server ?? String(cString: cups.cupsServer())
        guard let listed = jobIDs(of: user, server: server, cups) else { return nil }
        let jobs: [Int32]
        switch listed {
        case .failure(let refusal): return Purge(jobs: 0, failure: refusal.reason)
        case .success(let found): jobs = found
        }
        guard !jobs.isEmpty else { return Purge(jobs: 0) }
        guard case .success(let http)? = connect(server, cups) else { return Purge(jobs: 0, failure: String(cString: cups.cupsLastErrorString())) }
        defer { cups.httpClose(http) }
        // One job at a time, with `purge-job`: CUPS 2.4 answers Cancel-My-Jobs from root for root's own jobs only
        // (`cancel -u USER -x` leaves the account's jobs there), while root may purge any job by its number.
        var refusal: String?
        for job in jobs {
            let request = cups.ippNewRequest(IPP_OP_CANCEL_JOB)
            cups.ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nil, "ipp://localhost/jobs/\(job)")
            cups.ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user)
            cups.ippAddBoolean(request, IPP_TAG_OPERATION, "purge-job", 1)
            // cupsDoRequest takes the request over and frees it.
            let response = cups.cupsDoRequest(http, request, "/jobs/")
            if response == nil || cups.ippGetStatusCode(response).rawValue > IPP_STATUS_OK_CONFLICTING.rawValue {
                refusal = String(cString: cups.cupsLastErrorString())
            }
            if let response { cups.ippDelete(response) }
        }
        // Proven, not assumed: the account's jobs asked for again.
        guard case .success(let left)? = jobIDs(of: user, server: server, cups) else {
            return Purge(jobs: 0, failure: "CUPS did not say what is left\(refusal.map { " (\($0))" } ?? "")")
        }
        return Purge(jobs: max(0, jobs.count - left.count),
                     failure: left.isEmpty ? nil : "\(left.count) job(s) still there\(refusal.map { " (\($0))" } ?? "")")
    }

    /// The numbers of `user`'s jobs, pending, held and done; nil without CUPS, CUPS's reason when it does not answer.
    static func jobIDs(of user: String, server: String, _ cups: CupsLibrary) -> Result<[Int32], CupsRefusal>? {
        // A connection of its own: CUPS answers "my jobs" for the account named only while the connection is not
        // authenticated (once it is, for root).
        guard let connection = connect(server, cups) else { return nil }
        guard case .success(let http) = connection else { return connection.map { _ in [] } }
        defer { cups.httpClose(http) }
        let request = cups.ippNewRequest(IPP_OP_GET_JOBS)
        cups.ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/")
        cups.ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user)
        cups.ippAddBoolean(request, IPP_TAG_OPERATION, "my-jobs", 1)
        cups.ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nil, "all")
        cups.ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nil, "job-id")
        guard let response = cups.cupsDoRequest(http, request, "/"), cups.ippGetStatusCode(response).rawValue <= IPP_STATUS_OK_CONFLICTING.rawValue else {
            return .failure(CupsRefusal(reason: String(cString: cups.cupsLastErrorString())))
        }
        defer { cups.ippDelete(response) }
        var jobs: [Int32] = []
        var attribute = cups.ippFindAttribute(response, "job-id", IPP_TAG_INTEGER)
        while let found = attribute {
            jobs.append(cups.ippGetInteger(found, 0))
            attribute = cups.ippFindNextAttribute(response, "job-id", IPP_TAG_INTEGER)
        }
        return .success(jobs)
    }

    /// CUPS's local socket: nil when there is none (no CUPS here), never a network connection.
    static func connect(_ server: String, _ cups: CupsLibrary) -> Result<OpaquePointer, CupsRefusal>? {
        guard server.hasPrefix("/"), access(server, F_OK) == 0 else { return nil }
        guard let http = cups.httpConnect2(server, cups.ippPort(), nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, nil) else {
            return .failure(CupsRefusal(reason: "CUPS does not answer on \(server)"))
        }
        return .success(http)
    }
}

/// libcups, opened at the first purge (`dlopen`): the service does not carry it, nor the TLS and Kerberos libraries it
/// brings, while it waits; a kiosk without CUPS never loads it.
struct CupsLibrary: @unchecked Sendable {
    let cupsServer: @convention(c) () -> UnsafePointer<CChar>
    let cupsLastErrorString: @convention(c) () -> UnsafePointer<CChar>
    let httpConnect2: @convention(c) (UnsafePointer<CChar>?, Int32, OpaquePointer?, Int32, http_encryption_t, Int32, Int32, UnsafeMutablePointer<Int32>?) -> OpaquePointer?
    let httpClose: @convention(c) (OpaquePointer?) -> Void
    let ippPort: @convention(c) () -> Int32
    let ippNewRequest: @convention(c) (ipp_op_t) -> OpaquePointer?
    let ippAddString: @convention(c) (OpaquePointer?, ipp_tag_t, ipp_tag_t, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> OpaquePointer?
    let ippAddBoolean: @convention(c) (OpaquePointer?, ipp_tag_t, UnsafePointer<CChar>?, CChar) -> OpaquePointer?
    let cupsDoRequest: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    let ippGetStatusCode: @convention(c) (OpaquePointer?) -> ipp_status_t
    let ippDelete: @convention(c) (OpaquePointer?) -> Void
    let ippFindAttribute: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, ipp_tag_t) -> OpaquePointer?
    let ippFindNextAttribute: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, ipp_tag_t) -> OpaquePointer?
    let ippGetInteger: @convention(c) (OpaquePointer?, Int32) -> Int32

    static let shared = CupsLibrary()

    private init?() {
        guard let library = dlopen("libcups.so.2", RTLD_NOW | RTLD_LOCAL) else { return nil }
        var missing: [String] = []
        // Each symbol takes its type from the property it is given to; one missing and the library is not used.
        func load<T>(_ name: String) -> T {
            guard let address = dlsym(library, name) else {
                missing.append(name)
                return unsafeBitCast(UnsafeRawPointer(bitPattern: 1)!, to: T.self)
            }
            return unsafeBitCast(address, to: T.self)
        }
        cupsServer = load("cupsServer")
        cupsLastErrorString = load("cupsLastErrorString")
        httpConnect2 = load("httpConnect2")
        httpClose = load("httpClose")
        ippPort = load("ippPort")
        ippNewRequest = load("ippNewRequest")
        ippAddString = load("ippAddString")
        ippAddBoolean = load("ippAddBoolean")
        cupsDoRequest = load("cupsDoRequest")
        ippGetStatusCode = load("ippGetStatusCode")
        ippDelete = load("ippDelete")
        ippFindAttribute = load("ippFindAttribute")
        ippFindNextAttribute = load("ippFindNextAttribute")
        ippGetInteger = load("ippGetInteger")
        guard missing.isEmpty else {
            dlclose(library)
            return nil
        }
    }
}
