import ArdoiseCore

extension RecordedWipe {
    /// What a wipe on this machine does beyond the home: the account's print jobs purged from CUPS, and the Firefox
    /// profiles checked for their policies when a policy file is installed. The one way the CLI, the hook and the daemon set it.
    public mutating func addSystemSteps(root: String = "/") {
        purgePrintJobs = { user in PrintJobs.purge(user: user).map { WipeReport.PrintJobsPurged(removed: $0.jobs, failure: $0.failure) } }
        let policies = BrowserPolicies(root: root, stateDirectory: stateDirectory, settings: PolicySettings())
        firefoxPoliciesInstalled = { policies.firefoxPolicyFilePresent }
    }
}
