/// One value of one sample, named as SageMaker's system monitor names its records: `Type`, `Name`
/// and `Dimension` of smdebug's system-metric JSON (smdebug-formats.md C.2).
public struct SystemRecord: Sendable, Equatable, CustomStringConvertible {
    public var type: String
    public var name: String
    public var dimension: String
    public var value: Double
    /// Whether SageMaker's system monitor writes this record. Only these go into the smdebug files,
    /// so that smdebug's readers and the profiler rules see exactly SageMaker's set; the others
    /// (container, process tree, bytes, CloudWatch instance metrics) go to the store and /metrics.
    public var smdebug: Bool

    public init(type: String, name: String, dimension: String, value: Double, smdebug: Bool) {
        self.type = type
        self.name = name
        self.dimension = dimension
        self.value = value
        self.smdebug = smdebug
    }

    /// `Type|Name|Dimension`, the key the smdebug oracle counts by.
    public var key: String { "\(type)|\(name)|\(dimension)" }

    public var description: String { "\(key) \(value)\(smdebug ? "" : " (trainscope)")" }
}

/// What a collector is told about the sample it is taking.
public struct CollectContext: Sendable {
    /// Monotonic time of the sample, in nanoseconds (any origin); rates divide by its differences.
    public var monotonicNanoseconds: UInt64

    public init(monotonicNanoseconds: UInt64) {
        self.monotonicNanoseconds = monotonicNanoseconds
    }
}

/// A source of system records, one per kernel subsystem (node_exporter's collector pattern).
///
/// Collectors keep the previous reading of counters, so a rate needs two calls: the first call may
/// append nothing. They are called from the sampler's thread only. A throwing `collect` disables the
/// collector for the rest of the run (the sampler logs one notice); the others go on.
public protocol Collector: AnyObject {
    /// Lower-case, as in the `collector` label: cpu, memory, disk, network, container, process_tree, gpu.
    var name: String { get }
    func collect(_ context: CollectContext, into records: inout [SystemRecord]) throws
    /// Releases what the collector holds (NVML). Called once, after the last `collect`.
    func close()
}

extension Collector {
    public func close() {}
}

/// Rate bookkeeping shared by the counter-based collectors: the previous reading and its time.
struct Previous<Value> {
    var value: Value?
    var nanoseconds: UInt64 = 0

    /// Seconds since the previous reading (nil on the first), after which `value` becomes `new`.
    mutating func advance(to new: Value, at nanoseconds: UInt64) -> (old: Value, seconds: Double)? {
        defer {
            value = new
            self.nanoseconds = nanoseconds
        }
        guard let old = value, nanoseconds > self.nanoseconds else { return nil }
        return (old, Double(nanoseconds - self.nanoseconds) / 1e9)
    }
}

/// Counter difference that tolerates a reset (device removed and re-added, counter wrap): a counter
/// that went down contributes 0 rather than a huge unsigned difference.
@inline(__always) func delta(_ new: UInt64, _ old: UInt64) -> UInt64 { new >= old ? new - old : 0 }

/// A percentage of `part` in `whole`, 0 when `whole` is 0.
@inline(__always) func percent(_ part: UInt64, _ whole: UInt64) -> Double {
    whole == 0 ? 0 : Double(part) / Double(whole) * 100
}
