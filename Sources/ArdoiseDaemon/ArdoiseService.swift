import ArdoiseCore
import ArdoiseSystem
import FoundationEssentials
import Glibc
import Logging

/// The daemon's one service: sessions from logind, the control socket, the watchdog, SIGHUP reloads;
/// on SIGTERM it stops taking work, lets a wipe under way finish, then stops.
public struct ArdoiseService: Sendable {
    public var configPath: String?
    public var stateDirectory: String
    public var socketPath: String
    public var sessions: SessionSource
    public var stopper: ProcessStopping
    public var relayExecutable: String
    public var logger: Logger

    public init(configPath: String?, stateDirectory: String, socketPath: String, sessions: SessionSource = LogindSessions(),
                stopper: ProcessStopping = UserProcesses(), relayExecutable: String = JournalRelay.siblingExecutable(), logger: Logger) {
        self.configPath = configPath
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.sessions = sessions
        self.stopper = stopper
        self.relayExecutable = relayExecutable
        self.logger = logger
    }

    public enum StartError: Error, CustomStringConvertible {
        case configuration(ConfigurationError)
        case journal(JournalError)
        case socket(ControlError)

        public var description: String {
            switch self {
            case .configuration(let error): error.message(.english)
            case .journal(let error): error.message(.english)
            case .socket(let error): error.message(.english)
            }
        }
    }

    public func run() async throws {
        let notifier = ServiceNotifier()
        let journal: AccessJournal
        do { journal = try AccessJournal(directory: stateDirectory, mirror: SystemJournalMirror()) } catch { throw StartError.journal(error) }
        let configuration: ArdoiseConfiguration
        do {
            configuration = try ArdoiseConfiguration.load(path: configPath)
        } catch {
            record(JournalEvent(kind: .configRejected, outcome: "refused", detail: error.journalDetail), in: journal)
            throw StartError.configuration(error)
        }
        for warning in configuration.warnings { logger.warning("\(warning.message(.english))") }
        record(JournalEvent(kind: .daemonStart, outcome: "ok", detail: ["pid": .int(Int64(getpid()))]), in: journal)
        record(JournalEvent(kind: .configLoaded, outcome: "ok", detail: configuration.journalDetail), in: journal)
        let server: ControlServer
        do { server = try ControlServer(path: socketPath) } catch { throw StartError.socket(error) }

        let runtimeDirectory = socketPath.deletingLastPathComponent
        let watcher: InotifyProfileWatcher?
        do { watcher = try InotifyProfileWatcher(scratch: runtimeDirectory) } catch {
            logger.error("no live warnings: inotify cannot start (\(error))")
            watcher = nil
        }
        let supervisor = SessionSupervisor(configuration: configuration, dependencies: .init(
            journal: journal, wiper: JournaledHomeWiper(journal: journal, stateDirectory: stateDirectory, logger: logger), stopper: stopper,
            watcher: watcher, logger: logger, onChange: { notifier.status($0) }, seatInputs: SeatInputs(),
            sessionsNow: { [sessions] in sessions.sessionsNow() }))
        let relay = JournalRelay(executable: relayExecutable, configPath: configPath, stateDirectory: stateDirectory,
                                 scratchDirectory: runtimeDirectory)
        let updates = sessions.snapshots()
        // Listened to before the first list is read: no change falls between the two.
        let activityChanges = sessions.activityChanges()
        if activityChanges != nil { await supervisor.activityAnnouncements(true) } else { logger.info("logind's hints are looked at every 30 s (no system bus to listen to)") }
        let signals = ProcessSignals()
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // The first list is the sessions open now: sweep around them, then tell systemd we are ready.
                var started = false
                for await snapshot in updates {
                    if started {
                        await supervisor.apply(snapshot)
                        continue
                    }
                    started = true
                    await supervisor.startUp(snapshot)
                    let status = await supervisor.status
                    notifier.ready(status: status)
                    logger.info("ready: \(status)")
                }
            }
            group.addTask {
                await withTaskCancellationHandler {
                    await server.serve { request, peer, replies in
                        await answer(request, peer: peer, replies: replies, supervisor: supervisor, relay: relay)
                    }
                } onCancel: {
                    server.stop()
                }
            }
            if let activityChanges {
                group.addTask {
                    for await id in activityChanges { await supervisor.activityChanged(id) }
                    logger.warning("logind's announcements stopped: its hints are looked at every 30 s")
                    await supervisor.activityAnnouncements(false)
                    // This task ending must not end the service (a pause ends when the service stops).
                    while !Task.isCancelled { await TaskPause.sleep(for: .seconds(86_400)) }
                }
            }
            if let watcher {
                group.addTask {
                    for await (session, warning) in watcher.warnings { await supervisor.saw(warning, session: session) }
                }
            }
            if let interval = notifier.watchdogInterval {
                group.addTask {
                    while !Task.isCancelled {
                        notifier.watchdog()
                        await TaskPause.sleep(for: interval / 2)
                    }
                }
            }
            // SIGHUP reloads; SIGTERM or SIGINT ends this task, and so the others.
            group.addTask {
                for await signal in signals.received {
                    guard signal == SIGHUP else {
                        logger.info("signal \(signal): stopping")
                        return
                    }
                    notifier.reloading()
                    await reload(supervisor, journal: journal)
                    notifier.reloaded(status: await supervisor.status)
                }
            }
            await group.next()
            group.cancelAll()
        }
        notifier.stopping()
        logger.info("stopping: waiting for the wipes under way")
        await supervisor.drain()
        record(JournalEvent(kind: .daemonStop, outcome: "ok"), in: journal)
    }

    /// SIGHUP: a broken file is refused (file, line, key) and the configuration in force stays.
    func reload(_ supervisor: SessionSupervisor, journal: AccessJournal) async {
        do {
            let configuration = try ArdoiseConfiguration.load(path: configPath)
            await supervisor.reload(configuration)
            for warning in configuration.warnings { logger.warning("\(warning.message(.english))") }
            record(JournalEvent(kind: .configLoaded, outcome: "ok", detail: configuration.journalDetail.merging(["reload": .bool(true)]) { $1 }), in: journal)
            logger.info("configuration reloaded")
        } catch {
            record(JournalEvent(kind: .configRejected, outcome: "kept-previous", detail: error.journalDetail), in: journal)
            logger.error("configuration refused, the previous one stays: \(error.message(.english))")
        }
    }

    func answer(_ request: ControlRequest, peer: ControlPeer, replies: ControlReplies, supervisor: SessionSupervisor, relay: JournalRelay) async -> ControlResponse {
        let fr = (request.language ?? .french) == .french
        let notYours = ControlResponse(code: 3, error: fr ? "Cette session n'est pas la vôtre." : "This session is not yours.")
        switch request.command {
        case .notice:
            guard let session = request.session, let report = request.report else { return ControlResponse(code: 2, error: "session, report") }
            switch await supervisor.noticeReport(report, session: session, peerUID: peer.uid) {
            case .recorded: return ControlResponse(code: 0, output: report.rawValue)
            case .endedSession: return ControlResponse(code: 0, output: "session-ended")
            case .notYourSession: return notYours
            }
        case .listen:
            guard let session = request.session else { return ControlResponse(code: 2, error: "session") }
            guard let warnings = await supervisor.listen(session: session, peerUID: peer.uid) else { return notYours }
            for await delivery in warnings {
                guard let text = try? JSONEncoder().encode(delivery), replies.send(ControlResponse(code: 0, output: String(decoding: text, as: UTF8.self))) else { break }
            }
            return ControlResponse(code: 0, output: "session-ended")
        case .journal:
            return await relay.answer(request, peer: peer)
        case .sessions:
            return await sessionsAnswer(request, peer: peer, supervisor: supervisor)
        case .activity:
            guard let session = request.session, let source = request.inputSource else { return ControlResponse(code: 2, error: "session, source") }
            guard await supervisor.agentActivity(session: session, peerUID: peer.uid, idleSince: request.idleSince, source: source) else { return notYours }
            return ControlResponse(code: 0, output: "ok")
        case .sessionEnd:
            guard peer.uid == 0 else {
                return ControlResponse(code: 3, error: fr ? "Seul root peut demander un effacement." : "Only root may ask for a wipe.")
            }
            guard let user = request.user else { return ControlResponse(code: 2, error: fr ? "Compte manquant." : "No account given.") }
            switch await supervisor.sessionEnded(user: user, session: request.session) {
            case .unknownAccount:
                return ControlResponse(code: 2, error: fr ? "Le compte « \(user) » n'existe pas." : "There is no account \"\(user)\".")
            case .notKiosk:
                return ControlResponse(code: 0, output: fr ? "« \(user) » n'est pas un compte de poste public : rien à effacer." : "\"\(user)\" is not a kiosk account: nothing to wipe.")
            case .wiped(let outcome):
                return ControlResponse(code: outcome.exitCode, output: outcome.word)
            }
        }
    }

    func record(_ event: JournalEvent, in journal: AccessJournal) {
        do { try journal.append(event) } catch { logger.error("journal: \(error.message(.english))") }
    }
}

extension ConfigurationError {
    /// Where the file is broken, for the journal: line and key, not the text around them.
    var journalDetail: [String: DetailValue] {
        var detail: [String: DetailValue] = ["file": .text(file)]
        if let line { detail["line"] = .int(Int64(line)) }
        if let key { detail["key"] = .text(key) }
        return detail
    }
}

extension ArdoiseConfiguration {
    var journalDetail: [String: DetailValue] {
        ["kiosk_users": .int(Int64(kiosk.users.count)), "uid_range": .bool(kiosk.uidRange != nil),
         "retention_days": .int(Int64(journal.retentionDays)), "mode": .text(wipe.mode.rawValue)]
    }
}
