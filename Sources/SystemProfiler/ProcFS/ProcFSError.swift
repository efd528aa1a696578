/// A kernel file that could not be read or did not parse. `path` names the file (or, for a parse of
/// bytes handed in, the kernel file they stand for), `line` is 1-based when known.
public struct ProcFSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// open or read failed; `errno` is the error number.
        case read(errno: Int32)
        /// The bytes are not in the format the kernel documents.
        case malformed
    }

    public var kind: Kind
    public var path: String
    public var line: Int?
    public var message: String

    public init(_ kind: Kind, path: String, line: Int? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.line = line
        self.message = message
    }

    static func malformed(_ path: String, line: Int? = nil, _ message: String) -> ProcFSError {
        ProcFSError(.malformed, path: path, line: line, message)
    }

    public var description: String {
        let location = line.map { "\(path):\($0)" } ?? path
        return "\(location): \(message)"
    }
}
