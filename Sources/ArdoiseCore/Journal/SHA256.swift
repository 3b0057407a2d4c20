import CNettle

/// SHA-256, libnettle's (with the processor's SHA instructions where it has them).
public struct SHA256 {
    private var context = sha256_ctx()

    public init() { nettle_sha256_init(&context) }

    public mutating func update(data bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        nettle_sha256_update(&context, bytes.count, base.assumingMemoryBound(to: UInt8.self))
    }

    public mutating func update(data bytes: [UInt8]) { bytes.withUnsafeBytes { update(data: $0) } }

    /// The 32-byte digest (the hasher starts again afterwards).
    public mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_SIZE))
        nettle_sha256_digest(&context, digest.count, &digest)
        return digest
    }

    public static func hash(data bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: bytes)
        return hasher.finalize()
    }
}

/// HMAC with SHA-256 (RFC 2104), libnettle's.
public struct HMACSHA256 {
    private var context = hmac_sha256_ctx()

    public init(key: [UInt8]) { key.withUnsafeBufferPointer { nettle_hmac_sha256_set_key(&context, $0.count, $0.baseAddress) } }

    public mutating func update(data bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        nettle_hmac_sha256_update(&context, bytes.count, base.assumingMemoryBound(to: UInt8.self))
    }

    public mutating func update(data bytes: [UInt8]) { bytes.withUnsafeBytes { update(data: $0) } }

    /// The 32-byte code.
    public mutating func finalize() -> [UInt8] {
        var code = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_SIZE))
        nettle_hmac_sha256_digest(&context, code.count, &code)
        return code
    }
}
