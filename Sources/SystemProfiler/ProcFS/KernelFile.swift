#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads kernel files (/proc, /sys) whole.
///
/// Many of them report a size of 0 or 4096 whatever they hold, so the size is never asked: bytes are
/// read until end of file, up to `maxBytes` (as procfs's `ReadFileNoStat` does).
public enum KernelFile {
    public static let maxBytes = 1 << 20

    /// The file's bytes; throws `ProcFSError` with errno and the path.
    public static func read(_ path: String) throws(ProcFSError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw openError(path) }
        defer { close(fd) }
        var capacity = 8192
        return try read(fd: fd, path: path, capacity: &capacity)
    }

    /// Reads `fd` from offset 0 to its end with `pread`, so an open descriptor can be read again
    /// without reopening it (/proc and cgroup files regenerate their text at offset 0). `capacity`
    /// is the buffer size to start with; it grows, and the caller keeps it for the next read.
    static func read(fd: Int32, path: String, capacity: inout Int) throws(ProcFSError) -> [UInt8] {
        while true {
            var failure: Int32 = 0
            let size = capacity
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = 0
                while count < size {
                    let n = pread(fd, buffer.baseAddress! + count, size - count, off_t(count))
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    if n == 0 { return }
                    count += n
                }
            }
            guard failure == 0 else {
                throw ProcFSError(.read(errno: failure), path: path, "cannot read: \(String(cString: strerror(failure)))")
            }
            if bytes.count < size { return bytes }
            guard capacity < maxBytes else { throw ProcFSError(.malformed, path: path, "larger than \(maxBytes) bytes") }
            capacity *= 2
        }
    }

    static func openError(_ path: String) -> ProcFSError {
        let code = errno
        return ProcFSError(.read(errno: code), path: path, "cannot open: \(String(cString: strerror(code)))")
    }
}

/// A kernel file read once per sample: the descriptor stays open and each read is `pread` from
/// offset 0, which saves an open and a close per file per tick. Not thread-safe; one per collector.
public final class CachedKernelFile {
    public let path: String
    private var fd: Int32 = -1
    private var capacity = 4096

    public init(path: String) {
        self.path = path
    }

    deinit { if fd >= 0 { close(fd) } }

    /// The file's current bytes.
    public func read() throws(ProcFSError) -> [UInt8] {
        if fd < 0 {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw KernelFile.openError(path) }
        }
        do {
            return try KernelFile.read(fd: fd, path: path, capacity: &capacity)
        } catch {
            close(fd)
            fd = -1
            throw error
        }
    }
}
