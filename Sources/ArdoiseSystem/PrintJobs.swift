import CCups
import Foundation
import Glibc

/// The print jobs of an account in CUPS (pending, held, done), cancelled and purged at each wipe, so that neither the
/// document (`/var/spool/cups/d*`) nor its name (the `c*` job history) stays: IPP Cancel-My-Jobs with `purge-jobs`, as
/// `cancel -u USER -x` does, through libcups over CUPS's local socket. Where CUPS is not running, nothing happens.
public enum PrintJobs {
    public struct Purge: Sendable, Equatable {
        /// How many jobs of the account CUPS had (a count, never a title).
        public var jobs: Int
        /// CUPS's reason when it refused.
        public var failure: String?
    }

    /// The account's jobs purged; nil when there is no CUPS scheduler here.
    public static func purge(user: String) -> Purge? {
        guard let http = connect() else { return nil }
        defer { httpClose(http) }
        let jobs = count(of: user, http: http)
        guard jobs > 0 else { return Purge(jobs: 0) }
        let request = ippNewRequest(IPP_OP_CANCEL_MY_JOBS)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/printers/")
        // `my-jobs`: the jobs of the account named, not of the one asking (root, once CUPS has authenticated it).
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, user)
        ippAddBoolean(request, IPP_TAG_OPERATION, "my-jobs", 1)
        ippAddBoolean(request, IPP_TAG_OPERATION, "purge-jobs", 1)
        // cupsDoRequest takes the request over and frees it.
        guard let response = cupsDoRequest(http, request, "/admin/") else { return Purge(jobs: jobs, failure: String(cString: cupsLastErrorString())) }
        defer { ippDelete(response) }
        let status = ippGetStatusCode(response)
        guard status.rawValue <= IPP_STATUS_OK_CONFLICTING.rawValue else { return Purge(jobs: jobs, failure: String(cString: cupsLastErrorString())) }
        let left = count(of: user, http: http)
        return Purge(jobs: jobs, failure: left > 0 ? "\(left) job(s) still there" : nil)
    }

    /// Jobs of `user` CUPS knows now, whatever their state.
    public static func count(of user: String) -> Int? {
        guard let http = connect() else { return nil }
        defer { httpClose(http) }
        return count(of: user, http: http)
    }

    static func count(of user: String, http: OpaquePointer) -> Int {
        let request = ippNewRequest(IPP_OP_GET_JOBS)
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nil, "ipp://localhost/printers/")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", nil, "all")
        ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes", nil, "job-originating-user-name")
        guard let response = cupsDoRequest(http, request, "/") else { return 0 }
        defer { ippDelete(response) }
        // Every job, counted by owner here: asked for "my jobs", CUPS answers for the authenticated account once it is root.
        var jobs = 0
        var attribute = ippFindAttribute(response, "job-originating-user-name", IPP_TAG_NAME)
        while let found = attribute {
            if let owner = ippGetString(found, 0, nil), String(cString: owner) == user { jobs += 1 }
            attribute = ippFindNextAttribute(response, "job-originating-user-name", IPP_TAG_NAME)
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
