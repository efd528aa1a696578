import Foundation

/// Writes a file as smdebug's `TSAccessFile` does: to `<path>.tmp`, then renamed into place, so a
/// reader never sees it half written (and smdebug's readers skip `.tmp` names).
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws(TrialWriteError) {
        try createParent(of: path)
        let tmp = path + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(bytes)) else {
            throw TrialWriteError(.io, "cannot write \(tmp): \(String(cString: strerror(errno)))")
        }
        try rename(tmp, to: path)
    }

    static func rename(_ from: String, to: String) throws(TrialWriteError) {
        if Foundation.rename(from, to) != 0 {
            throw TrialWriteError(.io, "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    static func createParent(of path: String) throws(TrialWriteError) {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw TrialWriteError(.io, "cannot create \(dir): \(error.localizedDescription)")
        }
    }
}
