/// A line of the container's output, joined from the records a runtime split it into.
/// `bytes` is valid only inside the callback that receives it.
public struct LogicalLine {
    /// The time of the line's last record: the moment the line was complete.
    public var time: Int64?
    public var stream: LogRecordStream?
    /// false for a segment of a line longer than `maxLineBytes`: the line goes on in the next line
    /// of the same stream (the convention of `LineBlockReader.Block.forEachLine`).
    public var isComplete: Bool
    public var bytes: UnsafeRawBufferPointer
}

/// Joins partial records (CRI `P`…`P` `F`; Docker records whose `log` has no trailing `\n`) into
/// logical lines, one pending line per stream, since stdout and stderr records interleave in the same
/// file. Memory stays bounded: a line that grows past `maxLineBytes` goes out in segments of exactly
/// that size (`isComplete == false`) and the rest continues to be joined, as `LineBlockReader` does
/// with over-long raw lines. A full record with nothing pending goes out without a copy.
public struct PartialLineJoiner: Sendable {
    public let maxLineBytes: Int
    /// Pending bytes and the time of the latest record that added to them, per stream slot
    /// (stdout, stderr, and records without a stream).
    private var pending: [[UInt8]] = [[], [], []]
    private var pendingTime: [Int64?] = [nil, nil, nil]

    public init(maxLineBytes: Int = 1 << 20) {
        precondition(maxLineBytes > 0, """
            PartialLineJoiner needs maxLineBytes > 0 (got \(maxLineBytes)): \
            a segment must hold at least one byte.
            """)
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes held back waiting for the rest of their lines, all streams together.
    public var pendingByteCount: Int { pending[0].count + pending[1].count + pending[2].count }

    /// Whether a line has begun but not ended on some stream. A position in the file where this is
    /// false is a place to resume from without losing the start of a line.
    public var hasPending: Bool { pendingByteCount > 0 }

    /// Adds one record whose message lies in `buffer` (the line for CRI, the scratch buffer for
    /// Docker) and calls `emit` for every line or segment it completes, in order.
    public mutating func add(_ record: LogRecord, in buffer: UnsafeRawBufferPointer, emit: (LogicalLine) -> Void) {
        let slot = Self.slot(record.stream)
        var rest = record.message(in: buffer)
        if !pending[slot].isEmpty {
            // Fill the pending line up to the cap and send it as a segment, as often as needed.
            while pending[slot].count + rest.count > maxLineBytes {
                let take = maxLineBytes - pending[slot].count
                pending[slot].append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<rest.startIndex + take]))
                rest = UnsafeRawBufferPointer(rebasing: rest[(rest.startIndex + take)...])
                // The segment's time is that of the newest record with bytes in it.
                let time = take > 0 ? record.time : pendingTime[slot]
                pending[slot].withUnsafeBytes {
                    emit(LogicalLine(time: time, stream: record.stream, isComplete: false, bytes: $0))
                }
                pending[slot].removeAll(keepingCapacity: true)
            }
            if !pending[slot].isEmpty {
                pending[slot].append(contentsOf: rest)
                pendingTime[slot] = record.time
                if !record.isPartial { emitPending(slot, emit) }
                return
            }
        }
        // Nothing pending: whole segments straight from the record, no copy.
        while rest.count > maxLineBytes {
            emit(LogicalLine(time: record.time, stream: record.stream, isComplete: false,
                             bytes: UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<rest.startIndex + maxLineBytes])))
            rest = UnsafeRawBufferPointer(rebasing: rest[(rest.startIndex + maxLineBytes)...])
        }
        if record.isPartial {
            pending[slot].append(contentsOf: rest)
            pendingTime[slot] = record.time
        } else {
            emit(LogicalLine(time: record.time, stream: record.stream, isComplete: true, bytes: rest))
        }
    }

    /// Sends out what is pending (stdout, stderr, then records without a stream) as lines, for the end
    /// of input: a partial record with nothing after it is the whole line there is, as an unterminated
    /// last line is for `LineBlockReader`.
    public mutating func flush(emit: (LogicalLine) -> Void) {
        for slot in 0..<pending.count where !pending[slot].isEmpty { emitPending(slot, emit) }
    }

    /// Drops what is pending (the file was truncated or replaced under it).
    public mutating func reset() {
        for slot in 0..<pending.count {
            pending[slot].removeAll(keepingCapacity: true)
            pendingTime[slot] = nil
        }
    }

    private mutating func emitPending(_ slot: Int, _ emit: (LogicalLine) -> Void) {
        let time = pendingTime[slot]
        let stream = Self.stream(slot)
        pending[slot].withUnsafeBytes { emit(LogicalLine(time: time, stream: stream, isComplete: true, bytes: $0)) }
        pending[slot].removeAll(keepingCapacity: true)
        pendingTime[slot] = nil
    }

    @inline(__always) private static func slot(_ stream: LogRecordStream?) -> Int {
        guard let stream else { return 2 }
        return Int(stream.rawValue)
    }

    @inline(__always) private static func stream(_ slot: Int) -> LogRecordStream? {
        slot == 2 ? nil : LogRecordStream(rawValue: UInt8(slot))
    }
}
