import Foundation

/// Writes a file as smdebug's `TSAccessFile` does: to `<path>.tmp`, then renamed into place, so a
/// reader never sees it half written (and smdebug's readers skip `.tmp` names).
enum AtomicFile {
    /// `known` holds directories already made (each step's files would otherwise cost a `mkdir`).
    static func write(_ bytes: [UInt8], to path: String, known: inout Set<String>) throws(TrialWriteError) {
        try createParent(of: path, known: &known)
        try writeCreated(bytes, to: path)
    }

    static func write(_ bytes: [UInt8], to path: String) throws(TrialWriteError) {
        try createParent(of: path)
        try writeCreated(bytes, to: path)
    }

    private static func writeCreated(_ bytes: [UInt8], to path: String) throws(TrialWriteError) {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw TrialWriteError(.io, "cannot write \(tmp): \(String(cString: strerror(errno)))") }
        var done = 0
        let failure: Int32? = bytes.withUnsafeBytes { raw -> Int32? in
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }
        closeDescriptor(fd)
        if let failure { throw TrialWriteError(.io, "cannot write \(tmp): \(String(cString: strerror(failure)))") }
        try rename(tmp, to: path)
    }

    static func rename(_ from: String, to: String) throws(TrialWriteError) {
        if Foundation.rename(from, to) != 0 {
            throw TrialWriteError(.io, "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    static func createParent(of path: String, known: inout Set<String>) throws(TrialWriteError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let dir = String(path[..<slash])
        if known.contains(dir) { return }
        try createParent(of: path)
        known.insert(dir)
    }

    /// `mkdir -p` of the file's directory (one `mkdir` call when only the last level is missing).
    static func createParent(of path: String) throws(TrialWriteError) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let dir = String(path[..<slash])
        if dir.isEmpty || mkdir(dir, 0o755) == 0 || errno == EEXIST { return }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw TrialWriteError(.io, "cannot create \(dir): \(error.localizedDescription)")
        }
    }
}
