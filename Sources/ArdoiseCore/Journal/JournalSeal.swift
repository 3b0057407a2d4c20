import FoundationEssentials
import Glibc

/// The journal's tamper evidence: a hash chain anyone can check, and an HMAC seal per event whose key moves
/// forward every day (next key = SHA-256 of the current one; the old one is erased), so whoever holds the
/// machine today cannot rewrite yesterday. The first key, shown once, lets an admin check every seal.
enum JournalSeal {
    static let genesisLabel = Array("ardoise-journal-genesis".utf8)
    static let evolveLabel = Array("ardoise-journal-key-evolve".utf8)

    /// The day a time falls in (UTC), which is the sealing period.
    static func epoch(of time: Int64) -> Int64 {
        time >= 0 ? time / JournalClock.microsecondsPerDay : (time + 1) / JournalClock.microsecondsPerDay - 1
    }

    static func evolve(_ key: [UInt8], from: Int64, to: Int64) -> [UInt8] {
        var current = key
        var epoch = from
        while epoch < to {
            var hasher = SHA256()
            hasher.update(data: current)
            hasher.update(data: evolveLabel)
            current = Array(hasher.finalize())
            epoch += 1
        }
        return current
    }

    static func genesisChain(journalID: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: genesisLabel)
        hasher.update(data: Array(journalID.utf8))
        return Array(hasher.finalize())
    }

    static func genesisSeal(journalID: String, key: [UInt8]) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(data: genesisLabel)
        mac.update(data: Array(journalID.utf8))
        return Array(mac.finalize())
    }

    static func chain(previous: [UInt8], canonical: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: canonical)
        return Array(hasher.finalize())
    }

    static func seal(previous: [UInt8], canonical: [UInt8], key: [UInt8]) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(data: previous)
        mac.update(data: canonical)
        return Array(mac.finalize())
    }

    /// Every field of an event, each with its length, in a fixed order: the bytes the chain and the seal cover.
    static func canonical(sequence: Int64, time: Int64, kind: String, host: String, seat: String?, session: String?,
                          uid: Int64?, user: String?, duration: Int64?, outcome: String?, detail: String, epoch: Int64) -> [UInt8] {
        var encoder = CanonicalEncoder()
        encoder.integer(sequence)
        encoder.integer(time)
        encoder.text(kind)
        encoder.text(host)
        encoder.text(seat)
        encoder.text(session)
        encoder.integer(uid)
        encoder.text(user)
        encoder.integer(duration)
        encoder.text(outcome)
        encoder.text(detail)
        encoder.integer(epoch)
        return encoder.bytes
    }
}

/// Builds the canonical bytes of an event, from Swift values or straight from SQLite's column buffers.
struct CanonicalEncoder {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func integer(_ value: Int64?) {
        guard let value else { bytes.append(0); return }
        bytes.append(1)
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
    }

    mutating func text(_ value: String?) {
        guard var value else { bytes.append(0); return }
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    mutating func text(_ buffer: UnsafeRawBufferPointer?) {
        guard let buffer else { bytes.append(0); return }
        bytes.append(1)
        // Typed buffers: appended with one copy, not byte by byte (verify encodes millions of rows).
        withUnsafeBytes(of: UInt32(buffer.count).bigEndian) { bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) }
        bytes.append(contentsOf: buffer.assumingMemoryBound(to: UInt8.self))
    }
}

/// The first sealing key, to be kept away from the kiosk; with it `journal verify` checks every seal.
public struct VerificationKey: Sendable, Equatable, CustomStringConvertible {
    public var journalID: String
    public var genesisEpoch: Int64
    public var key: [UInt8]

    public var description: String {
        "ardoise-vk1:\(journalID):\(genesisEpoch):" + key.map { String(cFormat: "%02x", $0) }.joined()
    }

    public init(journalID: String, genesisEpoch: Int64, key: [UInt8]) {
        self.journalID = journalID
        self.genesisEpoch = genesisEpoch
        self.key = key
    }

    public init?(_ text: String) {
        let parts = text.trimming(.whitespacesAndNewlines).split(separator: ":")
        guard parts.count == 4, parts[0] == "ardoise-vk1", let epoch = Int64(parts[2]), let key = [UInt8](hex: parts[3]), key.count == 32 else { return nil }
        self.init(journalID: String(parts[1]), genesisEpoch: epoch, key: key)
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hex, two digits a byte.
    public var hex: String { map { String(cFormat: "%02x", $0) }.joined() }

    /// The bytes a run of hex digits (ASCII) stands for; nil for an odd count or a character that is no digit.
    init?<Digits: Collection<UInt8>>(hexDigits digits: Digits) {
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var high: UInt8?
        for digit in digits {
            let value: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = digit - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high { bytes.append(first << 4 | value); high = nil } else { high = value }
        }
        self = bytes
    }

    init?(hex text: some StringProtocol) { self.init(hexDigits: text.utf8) }
}
