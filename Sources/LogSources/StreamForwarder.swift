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

    public init(name: String, output: Int32, spool: SpoolWriter?, wakeup: Wakeup,
                clock: @escaping @Sendable () -> Int64) {
        self.name = name
        self.output = output
        self.spool = spool
        self.wakeup = wakeup
        self.clock = clock
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
            if let spool, !spool.append(chunk, timeMs: clock()) {
                bytesNotSpooled.add(Int64(n), ordering: .relaxed)
            }
            wakeup.signal()
        }
        close(input)
        finished.store(true, ordering: .releasing)
        wakeup.signal()
        done.signal()
    }
}
