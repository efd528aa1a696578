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
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Message("cannot read: \(errnoText())")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Message("cannot read: \(errnoText())")) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .failure(Message("is a directory, not a request file")) }
        if Int(info.st_size) > limit { return .failure(tooLarge(Int(info.st_size), limit)) }
        // Pipes and /proc files report size 0, so read up to the limit plus one byte regardless.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Message("cannot read: \(errnoText())"))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        if bytes.count > limit { return .failure(tooLarge(bytes.count, limit)) }
        return .success(bytes)
    }

    struct Message: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    private static func tooLarge(_ size: Int, _ limit: Int) -> Message {
        Message("is \(size) bytes, over the \(limit)-byte (\(limit / (1024 * 1024)) MiB) limit for a request file")
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
