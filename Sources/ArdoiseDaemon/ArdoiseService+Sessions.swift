import ArdoiseCore
import ArdoiseSystem
import FoundationEssentials
import Glibc

extension ArdoiseService {
    /// `ardoise sessions list|end|extend` for root and the members of `ardoise-admin`; every use journaled with who asked.
    func sessionsAnswer(_ request: ControlRequest, peer: ControlPeer, supervisor: SessionSupervisor) async -> ControlResponse {
        let fr = (request.language ?? .french) == .french
        guard JournalRelay.mayRead(peer) else {
            return ControlResponse(code: 3, error: fr ? "Seuls les membres du groupe « \(KioskPolicy.adminGroup) » et root peuvent voir et fermer les sessions."
                                                      : "Only members of the \"\(KioskPolicy.adminGroup)\" group and root may see and end sessions.")
        }
        let who = Account.withID(peer.uid)?.name ?? "\(peer.uid)"
        let action = request.arguments?.first ?? "list"
        let journal = supervisor.dependencies.journal
        func recordQuery(_ detail: [String: DetailValue]) {
            record(JournalEvent(kind: .adminQuery, uid: peer.uid, user: who, outcome: "ok", detail: detail.merging(["command": .text("sessions-\(action)")]) { $1 }), in: journal)
        }
        let missing = ControlResponse(code: 2, error: fr ? "Aucune session ouverte ne correspond (--seat ou --session)." : "No open session matches (--seat or --session).")
        switch action {
        case "list":
            let overview = await supervisor.overview()
            recordQuery(["results": .int(Int64(overview.count))])
            guard let text = try? JSONEncoder().encode(overview) else { return ControlResponse(code: 1, error: "encoding") }
            return ControlResponse(code: 0, output: String(decoding: text, as: UTF8.self))
        case "end":
            guard request.session != nil || request.seat != nil else { return missing }
            switch await supervisor.endByStaff(session: request.session, seat: request.seat, now: request.now ?? false, by: who) {
            case .noSuchSession: return missing
            case .done(let id):
                recordQuery(["session": .text(id), "now": .bool(request.now ?? false)])
                return ControlResponse(code: 0, output: id)
            }
        case "extend":
            guard request.session != nil || request.seat != nil else { return missing }
            guard let minutes = request.minutes, minutes > 0, minutes <= 600 else {
                return ControlResponse(code: 2, error: fr ? "Le nombre de minutes doit être entre 1 et 600." : "The number of minutes must be between 1 and 600.")
            }
            switch await supervisor.extend(session: request.session, seat: request.seat, minutes: minutes) {
            case .noSuchSession: return missing
            case .done(let id):
                recordQuery(["session": .text(id), "minutes": .double(minutes)])
                return ControlResponse(code: 0, output: id)
            }
        default:
            return ControlResponse(code: 2, error: "list, end, extend")
        }
    }
}
