import Foundation

/// The file operations of one trial writer, run in order on a thread of their own, so that a request
/// is answered once its tensors are encoded and the kernel's copy into the page cache (a third of the
/// ingestion server's CPU) overlaps with the next request. Bounded: a caller waits while more than
/// `maxPendingBytes` are queued.
///
/// A failed operation fails its step (`TrialStepFile.failure`): the step's later operations see it,
/// skip their writes and remove the step's file, so a reader never sees half a step. Failures are handed to
/// the writer's next caller (`takeFailure`), once each.
final class TrialIOLane: @unchecked Sendable {
    typealias Operation = () throws(TrialWriteError) -> Void

    private let condition = NSCondition()
    /// Taken items are set to nil at once: what an operation captured (a tensor's bytes) is freed
    /// when it has run, not when the queue is next compacted.
    private var queue: [(bytes: Int, file: TrialStepFile?, run: Operation)?] = []
    private var head = 0
    private var pendingBytes = 0
    private var running = false
    private var stopping = false
    private var failures: [TrialWriteError] = []
    let maxPendingBytes: Int

    init(maxPendingBytes: Int = 16 << 20) {
        self.maxPendingBytes = maxPendingBytes
        let thread = Thread { self.loop() }   // holds the lane until `stop()` ends the loop
        thread.name = "trial-io"
        thread.start()
    }

    /// Queues `run`; waits first while the queue holds more than its byte budget (a single larger
    /// operation is let through alone).
    func enqueue(bytes: Int, file: TrialStepFile?, _ run: @escaping Operation) {
        condition.lock()
        while pendingBytes > 0 && pendingBytes + bytes > maxPendingBytes { condition.wait() }
        queue.append((bytes, file, run))
        pendingBytes += bytes
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every queued operation has run.
    func waitUntilIdle() {
        condition.lock()
        while head < queue.count || running { condition.wait() }
        condition.unlock()
    }

    /// The oldest failure not handed out yet.
    func takeFailure() -> TrialWriteError? {
        condition.lock()
        defer { condition.unlock() }
        return failures.isEmpty ? nil : failures.removeFirst()
    }

    /// Runs what is queued, then ends the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while head == queue.count && !stopping { condition.wait() }
            if head == queue.count {
                condition.unlock()
                return
            }
            let item = queue[head]!
            queue[head] = nil
            head += 1
            if head > 1024 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            running = true
            condition.unlock()

            var failure: TrialWriteError?
            do { try item.run() } catch { failure = error }

            condition.lock()
            if let failure {
                item.file?.failure = failure
                failures.append(failure)
            }
            running = false
            pendingBytes -= item.bytes
            condition.broadcast()
            condition.unlock()
        }
    }
}

/// One step's event file, as the lane (or, without one, the writer) sees it.
final class TrialStepFile: @unchecked Sendable {
    let temporaryPath: String
    var writer: TFRecordFileWriter?
    /// Set by the lane when an operation of this step failed; its later operations are skipped.
    var failure: TrialWriteError?

    init(temporaryPath: String) {
        self.temporaryPath = temporaryPath
    }
}
