import FoundationEssentials

/// Any JSON document, read and written whole: policy files (comparable, so that an administrator's own value can be told
/// apart from ardoise's), browser files whose every key is not known in advance, the commands' JSON output. Objects are
/// written with sorted keys, so one document always gives the same bytes.
public indirect enum JSONValue: Sendable, Equatable, Codable, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    case bool(Bool)
    case number(Double)
    case text(String)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(stringLiteral value: String) { self = .text(value) }

    /// Reads a JSON document (a bare value at the top too; nesting deeper than the decoder's limit is refused); nil when
    /// it does not parse (`strict`: as Firefox's `JSON.parse` would refuse it).
    public static func parse(_ bytes: [UInt8], strict: Bool = false) -> JSONValue? {
        if strict && !StrictJSON.isValid(bytes) { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Booleans first: a decoder that reads `true` as a number never gets the chance.
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .text(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .text(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let values): try container.encode(values)
        case .null: try container.encodeNil()
        }
    }

    /// The document's bytes: sorted keys, slashes as they are, indented when `pretty`.
    public func serialized(pretty: Bool = false) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// The document as a file: keys sorted, indented, a final new line.
    public var fileBytes: [UInt8] { ((try? serialized(pretty: true)) ?? Array("{}".utf8)) + [10] }

    /// The document as text, indented (the commands' `--format json`).
    public var prettyText: String { String(decoding: (try? serialized(pretty: true)) ?? Array("null".utf8), as: UTF8.self) }

    public var textValue: String? { if case .text(let value) = self { value } else { nil } }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    public var objectValue: [String: JSONValue]? { if case .object(let values) = self { values } else { nil } }
}
