import CCups
import FoundationEssentials
import Glibc

/// The print jobs of an account in CUPS (pending, held, done), cancelled and purged at each wipe, so that neither the
/// document (`/var/spool/cups/d*`) nor its name (the `c*` job history) stays: each job of the account cancelled with
/// `purge-job`, through libcups over CUPS's local socket. Where CUPS is not running, nothing happens.
public enum PrintJobs {
    public struct Purge: Sendable, Equatable {
        /// How many jobs of the account CUPS no longer has (a count, never a title).
        public var jobs: Int
        /// CUPS's reason when it refused.
        public var failure: String?
    }

    /// Why CUPS could not be asked, in its own words.
    struct CupsRefusal: Error {
        var reason: String
    }

    /// The account's jobs purged; nil when there is no CUPS scheduler here. A CUPS that does not answer is a failure,
    /// never "nothing to purge".
    /// `server`: CUPS's local socket (the system's own by default).
    public static func purge(user: String, server: String? = nil) -> Purge? {
        let server = server ?? String(cString: cupsServer())
        guard let listed = jobIDs(of: user, server: server) else { return nil }
        let jobs: [Int32]
        switch listed {
        case .failure(let refusal): return Purge(jobs: 0, failure: refusal.reason)
        case .success(let found): jobs = found
        }
        guard !jobs.isEmpty else { return Purge(jobs: 0) }
        guard case .success(let http)? = connect(server) else { return Purge(jobs: 0, failure: String(cString: cupsLastErrorString())) }
        defer { httpClose(http) }
        // One job at a time, with `purge-job`: CUPS 2.4 answers Cancel-My-Jobs from root for root's own jobs only
        // (`cancel -u USER -x` leaves the account's jobs there), while root may purge any job by its number.
        var refusal: String?
        for job in jobs {
            let request = ippNewRequest(IPP_OP_CANCEL_JOB)
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nil, "ipp://localhost/jobs/\(job)")
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user)
            ippAddBoolean(request, IPP_TAG_OPERATION, "purge-job", 1)
            // cupsDoRequest takes the request over and frees it.
            let response = cupsDoRequest(http, request, "/jobs/")
            if response == nil || ippGetStatusCode(response).rawValue > IPP_STATUS_OK_CONFLICTING.rawValue {
                refusal = String(cString: cupsLastErrorString())
            }
            if let response { ippDelete(response) }
        }
        // Proven, not assumed: the account's jobs asked for again.
        guard case .success(let left)? = jobIDs(of: user, server: server) else {
            return Purge(jobs: 0, failure: "CUPS did not say what is left\(refusal.map { " (\($0))" } ?? "")")
        }
        return Purge(jobs: max(0, jobs.count - left.count),
                     failure: left.isEmpty ? nil : "\(left.count) job(s) still there\(refusal.map { " (\($0))" } ?? "")")
    }

    /// The numbers of `user`'s jobs, pending, held and done; nil without CUPS, CUPS's reason when it does not answer.
    static func jobIDs(of user: String, server: String) -> Result<[Int32], CupsRefusal>? {
        // A connection of its own: CUPS answers "my jobs" for the account named only while the connection is not
        // authenticated (once it is, for root).
        guard let connection = connect(server) else { return nil }
        guard case .success(let http) = connection else { return connection.map { _ in [] } }
        defer { httpClose(http) }
        let request = ippNewRequest(IPP_OP_GET_JOBS)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user)
        ippAddBoolean(request, IPP_TAG_OPERATION, "my-jobs", 1)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nil, "all")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nil, "job-id")
        guard let response = cupsDoRequest(http, request, "/"), ippGetStatusCode(response).rawValue <= IPP_STATUS_OK_CONFLICTING.rawValue else {
            return .failure(CupsRefusal(reason: String(cString: cupsLastErrorString())))
        }
        defer { ippDelete(response) }
        var jobs: [Int32] = []
        var attribute = ippFindAttribute(response, "job-id", IPP_TAG_INTEGER)
        while let found = attribute {
            jobs.append(ippGetInteger(found, 0))
            attribute = ippFindNextAttribute(response, "job-id", IPP_TAG_INTEGER)
        }
        return .success(jobs)
    }

    /// CUPS's local socket: nil when there is none (no CUPS here), never a network connection.
    static func connect(_ server: String) -> Result<OpaquePointer, CupsRefusal>? {
        guard server.hasPrefix("/"), access(server, F_OK) == 0 else { return nil }
        guard let http = httpConnect2(server, ippPort(), nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, nil) else {
            return .failure(CupsRefusal(reason: "CUPS does not answer on \(server)"))
        }
        return .success(http)
    }
}
