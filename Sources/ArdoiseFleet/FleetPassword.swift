import ArdoiseCore
import Foundation

/// A kiosk account's password, and what PostgreSQL keeps of it: a SCRAM-SHA-256 verifier made here (RFC 5802, 7677),
/// so that the password itself never reaches the server, its logs or its statistics.
enum FleetPassword {
    static let iterations = 4096

    /// 32 random bytes in hex: typed by nobody, copied as a file.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func scramVerifier(_ password: String, salt: [UInt8]? = nil, iterations: Int = iterations) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = salt ?? (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let salted = pbkdf2(password: Array(password.utf8), salt: salt, iterations: iterations)
        let clientKey = hmac(salted, Array("Client Key".utf8))
        let storedKey = SHA256.hash(data: clientKey)
        let serverKey = hmac(salted, Array("Server Key".utf8))
        return "SCRAM-SHA-256$\(iterations):\(Data(salt).base64EncodedString())$\(Data(storedKey).base64EncodedString()):\(Data(serverKey).base64EncodedString())"
    }

    /// PBKDF2 with HMAC-SHA-256, one block of 32 bytes (RFC 8018).
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var block = hmac(password, salt + [0, 0, 0, 1])
        var result = block
        for _ in 1..<max(1, iterations) {
            block = hmac(password, block)
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }

    static func hmac(_ key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var mac = HMACSHA256(key: key)
        mac.update(data: message)
        return mac.finalize()
    }
}
