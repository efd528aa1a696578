#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes samples where SageMaker's system monitor puts them and smdebug's readers look for them:
/// `<LocalPath>/system/incremental/<YYYYMMDDHH>/<10-digit seconds>.<NodeId>.json`, JSON lines, and
/// `<LocalPath>/system/training_job_end.ts` (empty) when the profiler finishes.
///
/// Rotation follows ProfilingParameters as smdebug's own trace writer does:
/// - a file covers one window of `RotateFileCloseIntervalInSeconds` aligned to the epoch, and is
///   named after the window's start (60 s gives SageMaker's epoch-of-minute names);
/// - a file never grows past `RotateMaxFileSizeInBytes`: the next sample then starts a new file,
///   named after that sample's second;
/// - a file never spans two UTC hours, since the hour is its folder;
/// - after `FileOpenFailThreshold` failures in a row to open a file, the sink gives up (a notice,
///   then every later sample counts as a write error).
///
/// Each sample's lines go out in one `write`, so a reader sees whole samples, or at worst a cut
/// last line, which smdebug skips.
public final class SmdebugFileSink: SampleSink {
    public struct Configuration: Sendable, Equatable {
        /// ProfilingParameters' LocalPath: the profiler root (`/opt/ml/output/profiler` on SageMaker).
        public var localPath: String
        public var rotateMaxFileSizeInBytes: Int
        public var rotateFileCloseIntervalInSeconds: Int
        public var fileOpenFailThreshold: Int
        public var writeEndMarker: Bool

        public init(localPath: String, rotateMaxFileSizeInBytes: Int = 10_485_760, rotateFileCloseIntervalInSeconds: Int = 60,
                    fileOpenFailThreshold: Int = 50, writeEndMarker: Bool = true) {
            self.localPath = localPath
            self.rotateMaxFileSizeInBytes = rotateMaxFileSizeInBytes
            self.rotateFileCloseIntervalInSeconds = rotateFileCloseIntervalInSeconds
            self.fileOpenFailThreshold = fileOpenFailThreshold
            self.writeEndMarker = writeEndMarker
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public let name = "smdebug"
    public let configuration: Configuration
    private var fd: Int32 = -1
    private var window: Int64 = .min
    private var hour: Int64 = .min
    private var size = 0
    private var lastName: Int64 = .min
    private var openFailures = 0
    private var createdDirectory = ""
    private var buffer: [UInt8] = []
    /// Every file written, relative to LocalPath, in order.
    public private(set) var files: [String] = []

    public init(configuration: Configuration) {
        self.configuration = configuration
        buffer.reserveCapacity(16 * 1024)
    }

    deinit { if fd >= 0 { close(fd) } }

    public var systemDirectory: String { "\(configuration.localPath)/system" }

    public func write(_ sample: ProfilerSample) throws {
        buffer.removeAll(keepingCapacity: true)
        SmdebugRecordEncoder.encode(sample, into: &buffer)
        guard !buffer.isEmpty else { return }
        guard openFailures < max(1, configuration.fileOpenFailThreshold) else {
            throw WriteError(description: "gave up after \(openFailures) failures in a row to open a file")
        }
        let seconds = sample.timeMicroseconds / 1_000_000
        let interval = Int64(max(1, configuration.rotateFileCloseIntervalInSeconds))
        let sampleWindow = seconds - seconds % interval
        let sampleHour = seconds / 3600
        if fd >= 0 && (sampleWindow != window || sampleHour != hour
                       || size + buffer.count > configuration.rotateMaxFileSizeInBytes) {
            close(fd)
            fd = -1
        }
        if fd < 0 {
            // A new window's file is named after the window; a file started for size inside a window,
            // after its first sample's second (kept above the previous name, so names stay unique).
            let newWindow = sampleWindow != window
            let name = newWindow ? max(sampleWindow, lastName + 1) : max(seconds, lastName + 1)
            try open(named: name, node: sample.nodeID)
            window = sampleWindow
            hour = sampleHour
        }
        try writeAll(buffer)
        size += buffer.count
    }

    private func open(named timestamp: Int64, node: String) throws {
        let directory = "\(systemDirectory)/incremental/\(Self.hourFolder(timestamp))"
        let relative = "system/incremental/\(Self.hourFolder(timestamp))/\(Self.tenDigits(timestamp)).\(node).json"
        let path = "\(configuration.localPath)/\(relative)"
        do {
            if directory != createdDirectory {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                createdDirectory = directory
            }
        } catch {
            openFailures += 1
            throw WriteError(description: "cannot create \(directory): \((error as NSError).localizedDescription)")
        }
        let opened = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            openFailures += 1
            throw WriteError(description: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        openFailures = 0
        fd = opened
        var st = stat()
        size = fstat(opened, &st) == 0 ? Int(st.st_size) : 0
        lastName = timestamp
        files.append(relative)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let why = String(cString: strerror(errno))
                    close(fd)
                    fd = -1
                    throw WriteError(description: "cannot write to \(files.last ?? "?"): \(why)")
                }
                offset += n
            }
        }
    }

    public func finish(endTimeMicroseconds: Int64) throws {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        guard configuration.writeEndMarker else { return }
        let marker = "\(systemDirectory)/training_job_end.ts"
        do {
            try FileManager.default.createDirectory(atPath: systemDirectory, withIntermediateDirectories: true)
        } catch {
            throw WriteError(description: "cannot create \(systemDirectory): \((error as NSError).localizedDescription)")
        }
        guard FileManager.default.createFile(atPath: marker, contents: Data()) else {
            throw WriteError(description: "cannot create \(marker)")
        }
    }

    /// The UTC hour folder, `YYYYMMDDHH`.
    static func hourFolder(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + pad(parts.tm_hour, 2)
    }

    static func tenDigits(_ seconds: Int64) -> String {
        let s = String(seconds)
        return String(repeating: "0", count: max(0, 10 - s.count)) + s
    }
}
