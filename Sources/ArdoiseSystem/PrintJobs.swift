import CCups
import Foundation
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

    /// The account's jobs purged; nil when there is no CUPS scheduler here.
    public static func purge(user: String) -> Purge? {
        guard let jobs = jobIDs(of: user) else { return nil }
        guard !jobs.isEmpty, let http = connect() else { return Purge(jobs: jobs.count) }
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
        let left = jobIDs(of: user)?.count ?? 0
        return Purge(jobs: max(0, jobs.count - left), failure: left > 0 ? "\(left) job(s) still there\(refusal.map { " (\($0))" } ?? "")" : nil)
    }

    /// The numbers of `user`'s jobs, pending, held and done.
    static func jobIDs(of user: String) -> [Int32]? {
        // A connection of its own: CUPS answers "my jobs" for the account named only while the connection is not
        // authenticated (once it is, for root).
        guard let http = connect() else { return nil }
        defer { httpClose(http) }
        let request = ippNewRequest(IPP_OP_GET_JOBS)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user)
        ippAddBoolean(request, IPP_TAG_OPERATION, "my-jobs", 1)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nil, "all")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nil, "job-id")
        guard let response = cupsDoRequest(http, request, "/") else { return [] }
        defer { ippDelete(response) }
        var jobs: [Int32] = []
        var attribute = ippFindAttribute(response, "job-id", IPP_TAG_INTEGER)
        while let found = attribute {
            jobs.append(ippGetInteger(found, 0))
            attribute = ippFindNextAttribute(response, "job-id", IPP_TAG_INTEGER)
        }
        return jobs
    }

    /// CUPS's local socket, or nothing: never a network connection.
    static func connect() -> OpaquePointer? {
        let server = String(cString: cupsServer())
        guard server.hasPrefix("/"), access(server, F_OK) == 0 else { return nil }
        return httpConnect2(server, ippPort(), nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, nil)
    }
}
