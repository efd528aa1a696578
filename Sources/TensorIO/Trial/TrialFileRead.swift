import JobSpec

/// Reads a trial's small JSON files (index and collections files), which any writer may have put
/// there: a file larger than `limit` is refused rather than read into memory whole.
enum TrialFileRead {
    /// smdebug's index file for a step of thousands of tensors is a few hundred KiB.
    static let limit = 64 << 20

    /// The bytes, or nil: with `problem` set to why when the file is too large, left alone when it is
    /// simply not there (yet) or unreadable, which the next look retries.
    static func bytes(_ path: String, problem: inout String?) -> [UInt8]? {
        switch CappedFile.contents(of: path, limit: limit) {
        case .success(let bytes): return bytes
        case .failure(.tooLarge(let size)):
            problem = "\(path): \(size) bytes, more than the \(limit >> 20) MiB a trial's JSON file may have; not read"
            return nil
        case .failure: return nil
        }
    }

    static func bytes(_ path: String) -> [UInt8]? {
        var ignored: String?
        return bytes(path, problem: &ignored)
    }
}
