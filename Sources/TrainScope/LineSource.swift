import Store

/// A line as extraction sees it, from any source: a run's spool or a followed container log.
/// `bytes` is valid only inside the callback that receives it.
struct SourceLine {
    var bytes: UnsafeRawBufferPointer
    var timeMs: Int64
    var stream: LogStream
    /// 1-based line number within the source's current file.
    var number: Int64
    /// false for a segment of an over-long line (more of the same line follows).
    var complete: Bool
}

/// Where extraction reads lines from. One thread polls every source in turn, so an implementation
/// needs no locking; what it has read but not yet handed out stays in its own bounded buffers.
protocol LineSource: AnyObject {
    /// The label in the store and on `/metrics` (a path for followed files).
    var name: String { get }
    /// Slot in `LiveMetrics` (0 for a run, where stdout and stderr share their metrics).
    var slot: Int { get }
    var sourceID: Int64? { get }
    /// Hands out the lines available now; `final` says no more input will come (the writer is done).
    func poll(final: Bool, _ body: (SourceLine) -> Void) -> PollResult
    /// The point to resume from once the lines handed out so far are stored.
    var position: SourcePosition { get }
    /// Counters that are not per metric: lines, split lines, invalid records, rotations.
    var stats: SourceStats { get }
}

enum PollResult {
    case read
    case idle
    case finished
}

struct SourceStats: Sendable, Equatable {
    var lines: Int64 = 0
    var splitLines: Int64 = 0
    /// Lines whose end a full disk kept out of the spool (not matched).
    var cutLines: Int64 = 0
    var invalidRecords: Int64 = 0
    var rotations: Int64 = 0
    var truncations: Int64 = 0
    var bytes: Int64 = 0
    /// Bytes written to a followed file and not read yet.
    var lagBytes: Int64 = 0
}
