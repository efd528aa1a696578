/// Values passed in and out of `MetricStore`. Times are Unix epoch milliseconds.

/// Which of the training process's output streams a line came from.
public enum LogStream: Int, Sendable, CaseIterable {
    case stdout = 1
    case stderr = 2
}

/// One value extracted from a log line, as the extractor hands it to the store.
public struct MetricSample: Sendable, Equatable {
    /// Index into the job's MetricDefinitions (the order given to `startJob`).
    public var metricIndex: Int
    public var value: Double
    public var timeMs: Int64
    public var stream: LogStream
    /// 1-based line number within `stream`, so a value can be traced back to its log line.
    public var line: Int64
    /// Per-metric sequence number; with `metricIndex` it is the sample's key. Resume from `lastSeq()`.
    public var seq: Int64
    /// The followed file it came from (`sourceID(name:)`), nil for a run's own stdout and stderr.
    public var sourceID: Int64?

    public init(metricIndex: Int, value: Double, timeMs: Int64, stream: LogStream, line: Int64, seq: Int64,
                sourceID: Int64? = nil) {
        self.metricIndex = metricIndex
        self.value = value
        self.timeMs = timeMs
        self.stream = stream
        self.line = line
        self.seq = seq
        self.sourceID = sourceID
    }
}

/// The job row: what `describe` reports besides transitions and final metrics.
public struct JobRecord: Sendable, Equatable {
    public var name: String
    public var hostId: String
    public var status: String
    public var secondaryStatus: String
    public var failureReason: String?
    public var creationTimeMs: Int64
    public var startTimeMs: Int64?
    public var endTimeMs: Int64?
    public var exitCode: Int32?
    /// The CreateTrainingJob request as received, so `describe` can echo its fields.
    public var requestJSON: String

    public init(name: String, hostId: String, status: String, secondaryStatus: String,
                failureReason: String? = nil, creationTimeMs: Int64, startTimeMs: Int64? = nil,
                endTimeMs: Int64? = nil, exitCode: Int32? = nil, requestJSON: String) {
        self.name = name
        self.hostId = hostId
        self.status = status
        self.secondaryStatus = secondaryStatus
        self.failureReason = failureReason
        self.creationTimeMs = creationTimeMs
        self.startTimeMs = startTimeMs
        self.endTimeMs = endTimeMs
        self.exitCode = exitCode
        self.requestJSON = requestJSON
    }
}

/// One entry of SecondaryStatusTransitions; `endTimeMs` is nil while it is the current status.
public struct StatusTransition: Sendable, Equatable {
    public var status: String
    public var startTimeMs: Int64
    public var endTimeMs: Int64?
    public var message: String?

    public init(status: String, startTimeMs: Int64, endTimeMs: Int64?, message: String?) {
        self.status = status
        self.startTimeMs = startTimeMs
        self.endTimeMs = endTimeMs
        self.message = message
    }
}

/// How far extraction of one log source got: the next byte to read and the lines read so far.
public struct SourcePosition: Sendable, Equatable {
    public var source: String
    public var byteOffset: Int64
    public var line: Int64
    /// Which file `byteOffset` is in, for followed files that rotate; nil for a run's spool.
    public var file: FileIdentityRecord?
    /// Opaque state of lines begun before `byteOffset` and not yet ended (partial records), restored
    /// on resume; nil when there is none.
    public var pending: [UInt8]?

    public init(source: String, byteOffset: Int64, line: Int64, file: FileIdentityRecord? = nil, pending: [UInt8]? = nil) {
        self.source = source
        self.byteOffset = byteOffset
        self.line = line
        self.file = file
        self.pending = pending
    }
}

/// A file as the follower recognises it after a restart: device and inode, plus a hash of its first
/// bytes, because an inode is reused as soon as a rotated file is deleted.
public struct FileIdentityRecord: Sendable, Equatable {
    public var device: UInt64
    public var inode: UInt64
    public var fingerprint: UInt64
    public var fingerprintLength: Int
    /// The file's modification time (ns since the epoch) when it was read up to the offset; nil from
    /// a database older than schema v6.
    public var modifiedNs: Int64?

    public init(device: UInt64, inode: UInt64, fingerprint: UInt64, fingerprintLength: Int, modifiedNs: Int64? = nil) {
        self.device = device
        self.inode = inode
        self.fingerprint = fingerprint
        self.fingerprintLength = fingerprintLength
        self.modifiedNs = modifiedNs
    }
}

/// An increment to a persisted counter; `labels` is an opaque, caller-canonicalized label string.
public struct CounterDelta: Sendable {
    public var name: String
    public var labels: String
    public var delta: Int64

    public init(name: String, labels: String, delta: Int64) {
        self.name = name
        self.labels = labels
        self.delta = delta
    }
}

/// A sample as read back, named by metric rather than index.
///
/// `==` compares `value` as a Double, so a NaN sample is not equal to itself; compare the
/// `value.bitPattern`s (or `isNaN` on both) when that matters.
public struct StoredSample: Sendable, Equatable {
    public var metricName: String
    public var timeMs: Int64
    public var value: Double
    public var stream: LogStream
    public var line: Int64
    public var seq: Int64
    /// The followed file it came from (`tail`); nil for a run's own streams.
    public var source: String?

    public init(metricName: String, timeMs: Int64, value: Double, stream: LogStream, line: Int64, seq: Int64,
                source: String? = nil) {
        self.metricName = metricName
        self.timeMs = timeMs
        self.value = value
        self.stream = stream
        self.line = line
        self.seq = seq
        self.source = source
    }
}
