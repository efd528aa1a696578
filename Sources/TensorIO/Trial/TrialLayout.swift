/// Paths inside an smdebug trial directory (`DebugHookConfig.LocalPath`), relative to it:
///
/// ```
/// collections/000000000/<worker>_collections.json
/// events/<step:012d>/<step:012d>_<worker>.tfevents
/// index/<step/1000:09d>/<step:012d>_<worker>.json
/// training_job_end.ts
/// ```
public enum TrialLayout {
    public static let endMarker = "training_job_end.ts"
    public static let collectionsDirectory = "collections/000000000"
    public static let defaultWorker = "worker_0"
    /// smdebug's `MAX_INDEX_FILE_NUM_IN_INDEX_PREFIX`.
    public static let indexFilesPerDirectory: Int64 = 1000

    public static func eventFile(step: Int64, worker: String) -> String {
        let s = padded(step, 12)
        return "events/\(s)/\(s)_\(worker).tfevents"
    }

    public static func indexFile(step: Int64, worker: String) -> String {
        "index/\(padded(step / indexFilesPerDirectory, 9))/\(padded(step, 12))_\(worker).json"
    }

    public static func collectionsFile(worker: String) -> String {
        "\(collectionsDirectory)/\(worker)_collections.json"
    }

    /// Worker names become parts of file names: 1 to 128 of `A-Z a-z 0-9 _ - .`, not starting with a
    /// dot. (smdebug's own names are `worker_<rank>` or a serialized TF device such as
    /// `_job-worker_replica-0_task-1_device-GPU-0`.)
    public static func isValidWorkerName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 128, bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
        }
    }

    /// The step and worker of an index or event file name `<step>_<worker>.<ext>`, as smdebug parses
    /// them (the step is everything before the first `_`).
    public static func parseFileName(_ basename: String, extension ext: String) -> (step: Int64, worker: String)? {
        guard basename.hasSuffix("." + ext) else { return nil }
        let stem = basename.dropLast(ext.count + 1)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let step = Int64(digits) else { return nil }
        let worker = String(stem[stem.index(after: underscore)...])
        return worker.isEmpty ? nil : (step, worker)
    }

    static func padded(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
