@testable import ArdoiseCore
import Foundation
import Testing

/// The journal's chain and seals rest on these two: checked against published vectors and against Python's own
/// hashlib and hmac on inputs of every length around the block size.
@Suite struct SHA256Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(cFormat: "%02x", $0) }.joined() }

    @Test func publishedVectors() {
        #expect(Self.hex(SHA256.hash(data: [])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.hex(SHA256.hash(data: Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // RFC 4231, test case 2.
        var mac = HMACSHA256(key: Array("Jefe".utf8))
        mac.update(data: Array("what do ya want for nothing?".utf8))
        #expect(Self.hex(mac.finalize()) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // RFC 4231, test case 6: a key longer than the block is hashed first.
        var long = HMACSHA256(key: [UInt8](repeating: 0xaa, count: 131))
        long.update(data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
        #expect(Self.hex(long.finalize()) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func sameAsPythonForEveryLengthAroundTheBlock() throws {
        var generator = SystemRandomNumberGenerator()
        var lines: [String] = []
        var ours: [String] = []
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let key = (0..<(length % 70 + 1)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var hasher = SHA256()
            // In two parts: what was given piecewise hashes as a whole.
            hasher.update(data: Array(data.prefix(length / 3)))
            hasher.update(data: Array(data.dropFirst(length / 3)))
            var mac = HMACSHA256(key: key)
            mac.update(data: data)
            ours.append(Self.hex(hasher.finalize()) + " " + Self.hex(mac.finalize()))
            lines.append(Self.hex(data) + " " + Self.hex(key))
        }
        let script = "import sys,hashlib,hmac\nfor line in sys.stdin:\n    d,k=[bytes.fromhex(x) for x in line.split(' ')]\n    print(hashlib.sha256(d).hexdigest(), hmac.new(k,d,hashlib.sha256).hexdigest())"
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("sha256-\(UUID().uuidString)").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let result = try run("sh", ["-c", "python3 -c \"$0\" < \"$1\"", script, input])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.split(separator: "\n").map(String.init) == ours)
    }
}
