import PCRE2

/// Checks a request against the botocore shapes the way the service does, not the way botocore does:
/// botocore checks only types, required members and minimums, while the service also enforces
/// maximums, patterns and enums. Unknown members are errors because the AWS CLI rejects them.
///
/// Not `Sendable` and not shared: it caches compiled `PCRE2Regex`es, which own match data.
struct SchemaValidator {
    let schema: ShapeSchema
    private(set) var issues: [ValidationIssue] = []
    private var patterns: [String: PCRE2Regex?] = [:]

    init(schema: ShapeSchema = .createTrainingJob) { self.schema = schema }

    static func validate(_ request: JSONValue, schema: ShapeSchema = .createTrainingJob) -> [ValidationIssue] {
        var validator = SchemaValidator(schema: schema)
        validator.check(request, shape: schema.root, at: .root)
        return validator.issues
    }

    mutating func check(_ value: JSONValue, shape name: String, at path: JSONPath) {
        let shape = schema[name]
        switch shape.kind {
        case .structure:
            guard case .object(let members) = value else { return mismatch("an object", value, path) }
            for member in members {
                guard let target = shape.memberShape(member.key) else {
                    issues.append(.error(path.appending(member.key), unknownMemberMessage(member.key, in: shape)))
                    continue
                }
                check(member.value, shape: target, at: path.appending(member.key))
            }
            for required in shape.required where value[required] == nil {
                guard let severity = RequiredMembers.severity(of: required, in: shape.name, root: schema.root) else {
                    continue
                }
                let message = severity == .error
                    ? "missing required member"
                    : "missing; the service requires it, a local run does not"
                issues.append(ValidationIssue(severity, path: path.appending(required).description, message))
            }
        case .list:
            guard case .array(let elements) = value else { return mismatch("an array", value, path) }
            checkSize(elements.count, shape, path, noun: "items")
            for (i, element) in elements.enumerated() {
                check(element, shape: shape.listMember!, at: path.appending(index: i))
            }
        case .map:
            guard case .object(let members) = value else { return mismatch("an object", value, path) }
            checkSize(members.count, shape, path, noun: "entries")
            let keyShape = schema[shape.mapKey!]
            for member in members {
                let entryPath = path.appending(member.key)
                checkString(member.key, keyShape, entryPath, role: "key ")
                check(member.value, shape: shape.mapValue!, at: entryPath)
            }
        case .string, .blob:
            guard case .string(let s) = value else { return mismatch("a string", value, path) }
            checkString(s, shape, path, role: "")
        case .integer, .long:
            checkInteger(value, shape, path)
        case .float, .double:
            guard case .number(let n) = value else { return mismatch("a number", value, path) }
            checkRange(n.double, n.description, shape, path)
        case .boolean:
            guard case .bool = value else { return mismatch("a boolean (true or false)", value, path) }
        case .timestamp:
            switch value {
            case .number, .string: break
            default: mismatch("a timestamp (a number of seconds or an ISO 8601 string)", value, path)
            }
        }
    }

    private mutating func mismatch(_ expected: String, _ value: JSONValue, _ path: JSONPath) {
        issues.append(.error(path, "expected \(expected), got \(value.kindName)"))
    }

    private mutating func checkSize(_ count: Int, _ shape: ShapeSchema.Shape, _ path: JSONPath, noun: String) {
        if let max = shape.max, Double(count) > max {
            issues.append(.error(path, "has \(count) \(noun); at most \(format(max)) allowed"))
        }
        if let min = shape.min, Double(count) < min {
            issues.append(.error(path, "has \(count) \(noun); at least \(format(min)) required"))
        }
    }

    /// `role` is "key " for map keys, so the message says which half of the entry is wrong.
    private mutating func checkString(_ s: String, _ shape: ShapeSchema.Shape, _ path: JSONPath, role: String) {
        // Lengths are counted as Java's String.length() counts them, in UTF-16 code units, because
        // that is what the service's "Member must have length less than or equal to" checks.
        let length = s.utf16.count
        var lengthOK = true
        if let max = shape.max, Double(length) > max {
            issues.append(.error(path, "\(role)length \(length) exceeds the maximum of \(format(max))"))
            lengthOK = false
        }
        if let min = shape.min, Double(length) < min {
            issues.append(.error(path, length == 0
                ? "\(role)is empty; the minimum length is \(format(min))"
                : "\(role)length \(length) is below the minimum of \(format(min))"))
            lengthOK = false
        }
        let shown = Redaction.isSensitive(path) ? "" : " (got \(quoted(s)))"
        if let values = shape.enumValues {
            if !values.contains(where: { $0.unicodeScalars.elementsEqual(s.unicodeScalars) }) {
                issues.append(.error(path, "\(role)\(enumMessage(s, values, shape.name))\(shown)"))
            }
            return
        }
        guard lengthOK, let pattern = shape.pattern else { return }
        if !fullMatch(pattern, s) {
            issues.append(.error(path, "\(role)does not match the pattern \(shape.modelPattern ?? pattern)\(shown)"))
        }
    }

    private mutating func checkInteger(_ value: JSONValue, _ shape: ShapeSchema.Shape, _ path: JSONPath) {
        guard case .number(let n) = value else { return mismatch("an integer", value, path) }
        guard n.isIntegerLiteral else { return issues.append(.error(path, "expected an integer, got a number with a fraction or exponent")) }
        let bits = shape.kind == .integer ? 32 : 64
        guard let v = n.int64, bits == 64 || Int64(Int32.min)...Int64(Int32.max) ~= v else {
            return issues.append(.error(path, "\(n) is out of range for a \(bits)-bit integer"))
        }
        checkRange(Double(v), String(v), shape, path)
    }

    private mutating func checkRange(_ v: Double, _ text: String, _ shape: ShapeSchema.Shape, _ path: JSONPath) {
        if let min = shape.min, v < min {
            issues.append(.error(path, "\(text) is below the minimum of \(format(min))"))
        }
        if let max = shape.max, v > max {
            issues.append(.error(path, "\(text) exceeds the maximum of \(format(max))"))
        }
    }

    /// Patterns are anchored at both ends: the service matches the whole value (older API pages wrote
    /// them as `^...$`). UTF and UCP make `\p{L}` and `.` work on characters, not bytes.
    private mutating func fullMatch(_ pattern: String, _ s: String) -> Bool {
        if patterns[pattern] == nil {
            patterns[pattern] = .some(try? PCRE2Regex(pattern, options: ShapeSchema.patternOptions))
        }
        // A pattern that does not compile is a generator defect, caught by a unit test; never blame the user.
        guard let regex = patterns[pattern] ?? nil else { return true }
        return Array(s.utf8).withUnsafeBytes { regex.matches($0) }
    }

    private func enumMessage(_ s: String, _ values: [String], _ shapeName: String) -> String {
        if values.count <= 12 {
            return "must be one of " + values.joined(separator: ", ")
        }
        var message = "is not one of the \(values.count) \(shapeName) values"
        if let near = Suggestion.closest(to: s, in: values) { message += "; did you mean \(near)?" }
        return message
    }

    private func unknownMemberMessage(_ key: String, in shape: ShapeSchema.Shape) -> String {
        var message = "unknown member (\(shape.name) has no member \(quoted(key)))"
        if let near = Suggestion.closest(to: key, in: shape.members.map(\.name)) {
            message += "; did you mean \(near)?"
        }
        return message
    }
}

extension ShapeSchema {
    /// How shape patterns are compiled: full match, on characters.
    public static let patternOptions: PCRE2Regex.Options = [.utf, .ucp, .anchored, .endAnchored]
}

/// Which missing required members are errors. The model's top-level requirements (RoleArn,
/// OutputDataConfig) and S3 destinations only matter to the real service: trainscope runs locally.
enum RequiredMembers {
    static func severity(of member: String, in shape: String, root: String) -> ValidationIssue.Severity? {
        if shape == root { return member == "TrainingJobName" ? .error : nil }
        if member == "S3OutputPath" || member == "S3Uri" { return .warning }
        if shape == "AlgorithmSpecification" && member == "TrainingInputMode" { return .warning }
        return .error
    }
}

/// Values under these members may be secrets, so messages never quote them.
enum Redaction {
    static let sensitiveRoots: Set<String> = ["HyperParameters", "Environment"]

    static func isSensitive(_ path: JSONPath) -> Bool {
        guard case .key(let first)? = path.components.first else { return false }
        return sensitiveRoots.contains(first)
    }
}

/// A JSON-quoted value for messages, shortened so a pasted blob cannot flood the output.
func quoted(_ s: String, limit: Int = 80) -> String {
    var out = ""
    let shown = s.unicodeScalars.count > limit ? String(String.UnicodeScalarView(s.unicodeScalars.prefix(limit))) + "…" : s
    JSONSerializer.appendQuoted(shown, to: &out)
    return out
}

func format(_ v: Double) -> String {
    if let i = Int64(exactly: v) { return String(i) }
    return PythonFloatFormat.repr(v)
}
