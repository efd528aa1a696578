#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a trial's small JSON files (index and collections files), which any writer may have put
/// there: a file larger than `limit` is refused rather than read into memory whole.
enum TrialFileRead {
    /// smdebug's index file for a step of thousands of tensors is a few hundred KiB.
    static let limit = 64 << 20

    enum Outcome {
        case bytes([UInt8])
        /// Not there (yet), or not readable.
        case missing
        case tooLarge(Int)
    }

    static func read(_ path: String, limit: Int = limit) -> Outcome {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .missing }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return .missing }
        let size = Int(st.st_size)
        guard size <= limit else { return .tooLarge(size) }
        var bytes = [UInt8](repeating: 0, count: size)
        var got = 0
        while got < size {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, size - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return .bytes(Array(bytes.prefix(got)))
    }

    /// The bytes, or nil with `problem` set to why not (nil when the file is simply absent).
    static func bytes(_ path: String, problem: inout String?) -> [UInt8]? {
        switch read(path) {
        case .bytes(let b): return b
        case .missing: return nil
        case .tooLarge(let size):
            problem = "\(path): \(size) bytes, more than the \(limit >> 20) MiB a trial's JSON file may have; not read"
            return nil
        }
    }
}
