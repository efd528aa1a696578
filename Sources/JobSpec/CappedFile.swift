#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file that comes from outside (a request, a trial's JSON files) with a cap on its
/// size, using POSIX calls so each failure keeps its own cause.
public enum CappedFile {
    public enum Failure: Error, Sendable, Equatable {
        /// open(2) or read(2) failed with this errno (ENOENT: not there).
        case unreadable(Int32)
        case directory
        /// The file holds more than the limit (at least this many bytes).
        case tooLarge(Int)

        public var reason: String {
            switch self {
            case .unreadable(let code): "cannot read: \(String(cString: strerror(code)))"
            case .directory: "is a directory"
            case .tooLarge(let size): "is \(size) bytes, over the limit"
            }
        }
    }

    public static func contents(of path: String, limit: Int) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.unreadable(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.unreadable(errno)) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .failure(.directory) }
        if Int(info.st_size) > limit { return .failure(.tooLarge(Int(info.st_size))) }
        // Pipes and /proc files report size 0, so read up to the limit plus one byte regardless.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count <= limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        if bytes.count > limit { return .failure(.tooLarge(bytes.count)) }
        return .success(bytes)
    }
}
