#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a request file with POSIX calls, so each failure has its own plain message
/// ("No such file or directory", "is a directory", "over the limit") rather than a Foundation error.
enum RequestFile {
    /// The path as the AWS CLI accepts it: `file://job.json` and `job.json` name the same file, and
    /// `file://~/job.json` is under the home directory (no shell expands `~` inside a URL-like word).
    static func localPath(_ path: String) -> String {
        guard path.hasPrefix("file://") else { return path }
        let rest = String(path.dropFirst("file://".count))
        if rest.hasPrefix("~/"), let home = getenv("HOME") {
            return String(cString: home) + rest.dropFirst()
        }
        return rest
    }

    /// The file's bytes, or a message saying why they cannot be used.
    static func contents(of path: String, limit: Int) -> Result<[UInt8], Message> {
        CappedFile.contents(of: path, limit: limit).mapError { failure in
            switch failure {
            case .unreadable: Message(failure.reason)
            case .directory: Message("is a directory, not a request file")
            case .tooLarge(let size): tooLarge(size, limit)
            }
        }
    }

    struct Message: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    private static func tooLarge(_ size: Int, _ limit: Int) -> Message {
        Message("is \(size) bytes, over the \(limit)-byte (\(limit / (1024 * 1024)) MiB) limit for a request file")
    }
}
