#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Moves one of the child's output streams to trainscope's own, byte for byte, and then to the spool.
/// It runs on a thread of its own and does nothing else, so nothing downstream (regexes, SQLite, HTTP)
/// can make the child block on a full pipe.
public final class StreamForwarder: @unchecked Sendable {
    public let name: String
    private let output: Int32
    private let spool: SpoolWriter?
    private let clock: @Sendable () -> Int64
    private let wakeup: Wakeup
    public let bytesForwarded = Atomic<Int64>(0)
    public let bytesNotSpooled = Atomic<Int64>(0)
    private let finished = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    /// Set when our own output failed (a closed pipe downstream); the child is still drained.
    public let outputBroken = Atomic<Bool>(false)
    /// Told when spooling starts failing (with why) and when it works again; once each time.
    private let notice: (@Sendable (String) -> Void)?
    /// Forwarding thread only.
    private var spoolFailures = 0
    private var spoolFailing = false
    private var droppedAtFailure: Int64 = 0

    public init(name: String, output: Int32, spool: SpoolWriter?, wakeup: Wakeup,
                clock: @escaping @Sendable () -> Int64, notice: (@Sendable (String) -> Void)? = nil) {
        self.name = name
        self.output = output
        self.spool = spool
        self.wakeup = wakeup
        self.clock = clock
        self.notice = notice
    }

    /// A spool that stops taking bytes (a full disk) is said once, naming the file and the error, and
    /// once more when it takes them again, with what was lost for extraction meanwhile.
    private func reportSpool(_ spool: SpoolWriter) {
        if spool.failedWrites > spoolFailures {
            spoolFailures = spool.failedWrites
            if !spoolFailing {
                spoolFailing = true
                droppedAtFailure = bytesNotSpooled.load(ordering: .relaxed)
                notice?("cannot write the log spool \(spool.path): \(String(cString: strerror(spool.lastError))); "
                        + "the \(name) of the training process is still forwarded, but what cannot be spooled is not extracted "
                        + "(trainscope_log_dropped_bytes_total)")
            }
        } else if spoolFailing {
            spoolFailing = false
            let lost = bytesNotSpooled.load(ordering: .relaxed) - droppedAtFailure
            notice?("the log spool \(spool.path) takes bytes again; \(lost) bytes of \(name) were forwarded but not extracted")
        }
    }

    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// Starts forwarding from `input` (a pipe's read end, closed at its end of file).
    public func start(input: Int32) {
        let thread = Thread { [self] in run(input: input) }
        thread.name = "forward-\(name)"
        thread.start()
    }

    /// Blocks until the input reached end of file.
    public func waitUntilFinished() { done.wait(); done.signal() }

    private func run(input: Int32) {
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer.baseAddress!, size)
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            if !outputBroken.load(ordering: .relaxed), !writeAll(output, chunk) {
                outputBroken.store(true, ordering: .relaxed)
            }
            bytesForwarded.add(Int64(n), ordering: .relaxed)
            if let spool {
                let dropped = spool.append(chunk, timeMs: clock())
                if dropped > 0 { bytesNotSpooled.add(Int64(dropped), ordering: .relaxed) }
                reportSpool(spool)
            }
            wakeup.signal()
        }
        close(input)
        finished.store(true, ordering: .releasing)
        wakeup.signal()
        done.signal()
    }
}
