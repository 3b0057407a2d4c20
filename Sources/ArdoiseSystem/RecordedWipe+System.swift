import ArdoiseCore

extension RecordedWipe {
    /// What a wipe on this machine does beyond the home: the account's print jobs purged from CUPS, and the Firefox
    /// profiles checked for their policies when a policy file is installed. The one way the CLI, the hook and the daemon set it.
    /// `printJobsHelper`: the program that purges the jobs in a process of its own (the service's choice, so that it never
    /// loads libcups); without it, the purge is made here.
    public mutating func addSystemSteps(root: String = "/", printJobsHelper: String? = nil) {
        purgePrintJobs = { user in
            let purge = printJobsHelper.map { PrintJobs.purge(user: user, helper: $0) } ?? PrintJobs.purge(user: user)
            return purge.map { WipeReport.PrintJobsPurged(removed: $0.jobs, failure: $0.failure) }
        }
        let policies = BrowserPolicies(root: root, stateDirectory: stateDirectory, settings: PolicySettings())
        firefoxPoliciesInstalled = { policies.firefoxPolicyFilePresent }
    }
}
