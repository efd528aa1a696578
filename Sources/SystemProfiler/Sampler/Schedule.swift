/// The sampler's timetable, free of drift: sample k is due at `start + k × interval`, whatever time
/// earlier samples took. Sample 0 is the baseline that counter-based collectors need; samples
/// 1, 2, … are the ones recorded.
///
/// A tick that wakes a whole interval or more after it was due (the previous sample overran, or the
/// thread was not scheduled) does not take the slots it missed one after another: those slots are
/// counted in `late` and skipped, and the sample is taken for the slot now running. The record
/// count is then the number of slots minus `late`.
public struct Schedule: Sendable, Equatable {
    public let start: UInt64
    public let interval: UInt64
    /// The last slot that may be sampled (from a duration); nil for no end.
    public let lastSlot: UInt64?
    /// The slot to take next.
    public private(set) var slot: UInt64 = 1
    public private(set) var late: UInt64 = 0

    public init(start: UInt64, interval: UInt64, duration: UInt64? = nil) {
        precondition(interval > 0, "a sampling interval must be positive")
        self.start = start
        self.interval = interval
        lastSlot = duration.map { $0 / interval }
    }

    /// When the next slot is due; nil once past the last slot.
    public var nextDeadline: UInt64? {
        if let lastSlot, slot > lastSlot { return nil }
        return start + slot * interval
    }

    /// Called on waking at `now` for the current slot: skips (and counts) the slots whose whole
    /// interval has passed. Returns the slot to sample, or nil when that would be past the end.
    public mutating func begin(at now: UInt64) -> UInt64? {
        let due = start + slot * interval
        if now >= due + interval {
            var missed = (now - due) / interval
            if let lastSlot { missed = min(missed, lastSlot + 1 - slot) }
            late += missed
            slot += missed
        }
        if let lastSlot, slot > lastSlot { return nil }
        return slot
    }

    /// Called when the sample of the current slot is done.
    public mutating func finish() {
        slot += 1
    }
}
