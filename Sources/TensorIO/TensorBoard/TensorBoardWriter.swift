import Foundation
import SwiftProtobuf

/// Writes a TensorBoard event file as TensorFlow does: named `events.out.tfevents.<10-digit
/// seconds>.<hostname>`, a first event with `file_version: "brain.Event:2"`, then one event per
/// value, framed as TFRecords with real masked CRC-32Cs. Scalars go out as `simple_value` (read by
/// every TensorBoard reader) or, with `.tensor`, as 0-d float tensors under the `scalars` plugin, as
/// TF2's `tf.summary.scalar` writes them. Histograms use TensorFlow's default buckets.
///
/// `add…` never throws and never blocks on the disk beyond a buffered append: failures are counted
/// in `errorCount` (with `lastError`), so a full disk cannot stop the caller's pipeline. Call
/// `flush()` to make values visible (periodically, and at the end). Thread-safe.
public final class TensorBoardWriter: @unchecked Sendable {
    public enum ScalarForm: Sendable { case simpleValue, tensor }

    public let directory: String
    public let path: String
    public let scalarForm: ScalarForm
    private let lock = NSLock()
    private let writer: TFRecordFileWriter
    private var nextStep: [String: Int64] = [:]
    private var closed = false
    private let clock: @Sendable () -> Double

    public private(set) var eventsWritten = 0
    public private(set) var errorCount = 0
    public private(set) var lastError: String?

    /// Creates `directory` if needed and the event file in it, with its `file_version` event.
    /// - Parameters:
    ///   - fileSuffix: appended to the name (TF2 appends `.<pid>.<uid>.v2`), to keep two writers in
    ///     one directory and second apart.
    public init(directory: String, hostname: String = ProcessInfo.processInfo.hostName, fileSuffix: String = "",
                scalarForm: ScalarForm = .simpleValue, bufferCapacity: Int = 64 * 1024,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let now = clock()
        let seconds = TrialLayout.padded(Int64(now), 10)
        var name = "events.out.tfevents.\(seconds).\(hostname)\(fileSuffix)"
        var n = 1
        while FileManager.default.fileExists(atPath: "\(directory)/\(name)") {
            name = "events.out.tfevents.\(seconds).\(hostname)\(fileSuffix).\(n)"
            n += 1
        }
        self.directory = directory
        self.path = "\(directory)/\(name)"
        self.scalarForm = scalarForm
        self.clock = clock
        writer = try TFRecordFileWriter(path: path, checksum: .crc32c, bufferCapacity: bufferCapacity)
        var event = Tensorboard_Event()
        event.wallTime = now
        event.fileVersion = "brain.Event:2"
        try writer.append(payload: try event.serializedBytes() as [UInt8])
        try writer.flush()
    }

    /// A scalar at `step`; `wallTime` (seconds since the epoch) defaults to now.
    public func add(tag: String, step: Int64, value: Double, wallTime: Double? = nil) {
        var v = Tensorboard_Summary.Value()
        v.tag = tag
        switch scalarForm {
        case .simpleValue:
            v.simpleValue = Float(value)
        case .tensor:
            var metadata = Tensorboard_SummaryMetadata()
            var plugin = Tensorboard_SummaryMetadata.PluginData()
            plugin.pluginName = "scalars"
            metadata.pluginData = plugin
            metadata.dataClass = .scalar
            v.metadata = metadata
            var t = Tensorboard_TensorProto()
            t.dtype = .dtFloat
            t.tensorShape = Tensorboard_TensorShapeProto()
            t.floatVal = [Float(value)]
            v.tensor = t
        }
        write(v, tag: tag, step: step, wallTime: wallTime)
    }

    /// A scalar at the tag's next step (0, 1, 2, …): a monotone step for values that have none of
    /// their own, such as metrics taken from log lines.
    public func addNext(tag: String, value: Double, wallTime: Double? = nil) {
        lock.lock()
        let step = nextStep[tag, default: 0]
        nextStep[tag] = step + 1
        lock.unlock()
        add(tag: tag, step: step, value: value, wallTime: wallTime)
    }

    /// A histogram of `values` (non-finite values left out); nothing when none is finite.
    public func addHistogram(tag: String, step: Int64, values: [Double], wallTime: Double? = nil) {
        guard let h = HistogramBuilder.histogram(of: values) else { return }
        var proto = Tensorboard_HistogramProto()
        proto.min = h.min
        proto.max = h.max
        proto.num = h.num
        proto.sum = h.sum
        proto.sumSquares = h.sumSquares
        proto.bucketLimit = h.bucketLimits
        proto.bucket = h.buckets
        var v = Tensorboard_Summary.Value()
        v.tag = tag
        v.histo = proto
        write(v, tag: tag, step: step, wallTime: wallTime)
    }

    /// Writes buffered events to the file.
    public func flush() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        do { try writer.flush() } catch { record(error) }
    }

    /// Flushes and closes the file; later adds are counted as errors.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        do { try writer.close() } catch { record(error) }
    }

    deinit { if !closed { try? writer.close() } }

    private func write(_ value: Tensorboard_Summary.Value, tag: String, step: Int64, wallTime: Double?) {
        var event = Tensorboard_Event()
        event.wallTime = wallTime ?? clock()
        event.step = step
        var summary = Tensorboard_Summary()
        summary.value = [value]
        event.summary = summary
        lock.lock()
        defer { lock.unlock() }
        guard !closed else {
            errorCount += 1
            lastError = "\(path) is closed"
            return
        }
        do {
            try writer.append(payload: try event.serializedBytes() as [UInt8])
            eventsWritten += 1
        } catch {
            record(error)
        }
    }

    private func record(_ error: any Error) {
        errorCount += 1
        lastError = "\(error)"
    }
}
