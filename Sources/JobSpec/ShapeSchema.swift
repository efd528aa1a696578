/// The botocore shapes reachable from `CreateTrainingJobRequest`, with the server-side constraints
/// (min/max, pattern, enum) that botocore itself does not check but the service does.
///
/// The data is generated (`scripts/gen_shapes.py`) into `Generated/CreateTrainingJobShapes.swift`
/// as JSON text and parsed once here, on first use.
public struct ShapeSchema: Sendable {
    public enum Kind: String, Sendable {
        case structure, list, map, string, integer, long, boolean, float, double, timestamp, blob
    }

    public struct Member: Sendable, Equatable {
        public let name: String
        public let shape: String
    }

    public struct Shape: Sendable {
        public let name: String
        public let kind: Kind
        /// Structure members in model order.
        public let members: [Member]
        public let required: [String]
        /// Element shape of a list.
        public let listMember: String?
        public let mapKey: String?
        public let mapValue: String?
        /// Length for strings (UTF-16 units, as the Java service counts), size for lists and maps,
        /// value for numbers.
        public let min: Double?
        public let max: Double?
        /// The pattern as PCRE2 runs it (translated from Java where the two differ).
        public let pattern: String?
        /// The pattern as the model writes it, for messages.
        public let modelPattern: String?
        public let enumValues: [String]?

        public func memberShape(_ name: String) -> String? {
            members.first { $0.name == name }?.shape
        }
    }

    public let root: String
    public let botocoreVersion: String
    public let shapes: [String: Shape]

    public subscript(name: String) -> Shape {
        guard let shape = shapes[name] else { preconditionFailure("shape \(name) is not in the schema") }
        return shape
    }

    /// The generated CreateTrainingJob schema. The embedded text is produced by our own generator,
    /// so a failure here is a build defect, not a user error.
    public static let createTrainingJob: ShapeSchema = {
        do {
            return try ShapeSchema(json: JSONParser.parse(createTrainingJobModelJSON, source: "CreateTrainingJobShapes"))
        } catch {
            fatalError("""
                The generated schema in Generated/CreateTrainingJobShapes.swift does not load:
                \(error)
                Regenerate it with scripts/gen_shapes.py.
                """)
        }
    }()

    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    init(json: JSONValue) throws {
        guard let root = json["root"]?.stringValue, let shapeMembers = json["shapes"]?.objectMembers else {
            throw FormatError(description: "missing root or shapes")
        }
        self.root = root
        botocoreVersion = json["botocore"]?.stringValue ?? "unknown"
        var shapes: [String: Shape] = [:]
        for entry in shapeMembers {
            shapes[entry.key] = try Self.shape(named: entry.key, from: entry.value)
        }
        self.shapes = shapes
        let targets = shapes.values.flatMap { $0.members.map(\.shape) + [$0.listMember, $0.mapKey, $0.mapValue].compactMap { $0 } }
        if let missing = targets.first(where: { shapes[$0] == nil }) {
            throw FormatError(description: "shape \(missing) is referenced but not defined")
        }
    }

    private static func shape(named name: String, from v: JSONValue) throws -> Shape {
        guard let kindName = v["type"]?.stringValue, let kind = Kind(rawValue: kindName) else {
            throw FormatError(description: "shape \(name) has no known type")
        }
        let members = (v["members"]?.objectMembers ?? []).compactMap { m in
            m.value.stringValue.map { Member(name: m.key, shape: $0) }
        }
        return Shape(
            name: name, kind: kind, members: members,
            required: v["required"]?.arrayElements?.compactMap(\.stringValue) ?? [],
            listMember: v["member"]?.stringValue, mapKey: v["key"]?.stringValue, mapValue: v["value"]?.stringValue,
            min: v["min"]?.numberValue?.double, max: v["max"]?.numberValue?.double,
            pattern: v["pattern"]?.stringValue,
            modelPattern: v["modelPattern"]?.stringValue ?? v["pattern"]?.stringValue,
            enumValues: v["enum"]?.arrayElements?.compactMap(\.stringValue))
    }
}
