/// One problem found in a request. Requests are checked completely, so users fix everything in
/// one round instead of one error per run (mtail's ErrorList habit).
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The service would reject the request (or trainscope cannot act on it).
        case error
        /// Accepted, but worth knowing: the service would behave differently, or a local run ignores it.
        case warning
    }

    public var severity: Severity
    /// A member path (`AlgorithmSpecification.MetricDefinitions[3].Regex`), or for problems with the
    /// file itself the file name, with `line:column` for JSON syntax errors (`job.json:3:14`).
    public var path: String
    /// Never contains a HyperParameters or Environment value: those may be secrets.
    public var message: String

    public init(_ severity: Severity, path: String, _ message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    public static func error(_ path: JSONPath, _ message: String) -> ValidationIssue {
        ValidationIssue(.error, path: path.description, message)
    }

    public static func warning(_ path: JSONPath, _ message: String) -> ValidationIssue {
        ValidationIssue(.warning, path: path.description, message)
    }

    public var isError: Bool { severity == .error }

    /// `error: AlgorithmSpecification.MetricDefinitions[3].Regex: does not compile: ...`
    public var description: String {
        path.isEmpty ? "\(severity.rawValue): \(message)" : "\(severity.rawValue): \(path): \(message)"
    }
}

/// Thrown by `JobSpecLoader.load`: every error found, plus the warnings, in the order found.
public struct JobSpecError: Error, Sendable, CustomStringConvertible {
    public var issues: [ValidationIssue]

    public init(issues: [ValidationIssue]) { self.issues = issues }

    public var errors: [ValidationIssue] { issues.filter(\.isError) }

    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
