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
    var pending: [[UInt8]] = [[], [], []]
    var pendingTime: [Int64?] = [nil, nil, nil]

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
        if pending[slot].count > maxLineBytes { emitOversizedFront(slot, emit) }
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
        for slot in 0..<pending.count where !pending[slot].isEmpty {
            if pending[slot].count > maxLineBytes { emitOversizedFront(slot, emit) }
            emitPending(slot, emit)
        }
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

    /// Segments off the front of a pending line longer than the cap, which only a state saved under a
    /// larger `maxLineBytes` can leave, until at most the cap is left.
    private mutating func emitOversizedFront(_ slot: Int, _ emit: (LogicalLine) -> Void) {
        let time = pendingTime[slot]
        let stream = Self.stream(slot)
        var start = 0
        pending[slot].withUnsafeBytes { bytes in
            while bytes.count - start > maxLineBytes {
                emit(LogicalLine(time: time, stream: stream, isComplete: false,
                                 bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<start + maxLineBytes])))
                start += maxLineBytes
            }
        }
        pending[slot].removeFirst(start)
    }

    @inline(__always) private static func slot(_ stream: LogRecordStream?) -> Int {
        guard let stream else { return 2 }
        return Int(stream.rawValue)
    }

    @inline(__always) private static func stream(_ slot: Int) -> LogRecordStream? {
        slot == 2 ? nil : LogRecordStream(rawValue: UInt8(slot))
    }
}

// MARK: - Saving what is pending with a checkpoint

extension PartialLineJoiner {
    private static let stateVersion: UInt8 = 1

    /// What is pending, as bytes to store beside the file offset just past the records that made it:
    /// restoring them and reading on from that offset rebuilds the same lines, so a restart neither
    /// loses the start of a line nor reads it twice. Empty when nothing is pending. Layout: a version
    /// byte, then per stream with pending bytes its slot (0 stdout, 1 stderr, 2 none), whether it has a
    /// time (0 or 1), the time and the byte count as little-endian 64-bit integers, and the bytes.
    public func savedState() -> [UInt8] {
        guard hasPending else { return [] }
        var out: [UInt8] = [Self.stateVersion]
        for slot in 0..<pending.count where !pending[slot].isEmpty {
            out.append(UInt8(slot))
            out.append(pendingTime[slot] == nil ? 0 : 1)
            withUnsafeBytes(of: (pendingTime[slot] ?? 0).littleEndian) { out.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(pending[slot].count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: pending[slot])
        }
        return out
    }

    /// Replaces what is pending with a `savedState()`. Returns false, and leaves nothing pending,
    /// when `state` is not one (a damaged or foreign value): the lines it held are lost, nothing else.
    /// A pending line longer than this joiner's `maxLineBytes` (saved under a larger one) is kept
    /// and goes out in segments with the next record or flush of its stream.
    @discardableResult
    public mutating func restore(_ state: [UInt8]) -> Bool {
        reset()
        guard !state.isEmpty else { return true }
        guard state[0] == Self.stateVersion else { return false }
        var i = 1
        func int64(_ at: Int) -> Int64 {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(state[at + k]) << (8 * k) }
            return Int64(bitPattern: v)
        }
        while i < state.count {
            guard state.count - i >= 18 else { reset(); return false }
            let slot = Int(state[i])
            let hasTime = state[i + 1]
            guard slot < pending.count, pending[slot].isEmpty, hasTime <= 1 else { reset(); return false }
            let time = int64(i + 2)
            let length = int64(i + 10)
            i += 18
            guard length > 0, length <= Int64(state.count - i) else { reset(); return false }
            pending[slot] = Array(state[i..<i + Int(length)])
            pendingTime[slot] = hasTime == 1 ? time : nil
            i += Int(length)
        }
        return true
    }
}
