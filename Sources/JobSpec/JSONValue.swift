/// A JSON document as parsed, keeping what `Foundation.JSONSerialization` loses: object member order
/// (so `describe` echoes a request in the order it was written) and each number's literal text
/// (so `86400` or a 64-bit seed round-trips exactly instead of through a Double).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    /// Members in document order. Equality is order-sensitive.
    case object([JSONMember])
}

/// One `"key": value` pair of an object.
public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension JSONValue {
    /// The first member named `key` (keys are unique in anything the parser accepted).
    /// Keys compare by Unicode scalars, not by Swift's canonical equivalence, as JSON and Python do.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key.unicodeScalars.elementsEqual(key.unicodeScalars) }?.value
    }

    public var objectMembers: [JSONMember]? {
        if case .object(let members) = self { members } else { nil }
    }

    public var arrayElements: [JSONValue]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    public var stringValue: String? {
        if case .string(let s) = self { s } else { nil }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { b } else { nil }
    }

    public var numberValue: JSONNumber? {
        if case .number(let n) = self { n } else { nil }
    }

    /// The kind of value, as used in "expected a string, got an array" messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
