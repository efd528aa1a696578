/// A location inside a request, written the way users name fields in the AWS docs:
/// `AlgorithmSpecification.MetricDefinitions[3].Regex`, `HyperParameters.learning_rate`, and
/// `HyperParameters["odd key"]` when a map key is not an identifier (so the path stays unambiguous).
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public private(set) var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public static let root = JSONPath()

    public func appending(_ key: String) -> JSONPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    public func appending(index: Int) -> JSONPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
    }

    public var description: String {
        var out = ""
        for component in components {
            switch component {
            case .index(let i):
                out += "[\(i)]"
            case .key(let key) where JSONPath.isIdentifier(key):
                if !out.isEmpty { out += "." }
                out += key
            case .key(let key):
                out += "["
                JSONSerializer.appendQuoted(key, to: &out)
                out += "]"
            }
        }
        return out
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`, the keys that can be written after a dot without confusion.
    static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return key.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (0x30...0x39).contains($0) }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
}
