#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import JobSpec
import LogMetrics
import LogSources
import Logging
import Store
import TensorIO

/// The threads of a run, built before the child starts: spool files, the extractor, the store.
struct PreparedPipeline: @unchecked Sendable {
    let forwarders: [StreamForwarder]
    let pipeline: ExtractionPipeline
    let writer: StoreWriter
    let logger: Logger

    init(spec: TrainingJobSpec, options: RunOptions, paths: RunPaths, live: LiveMetrics, logger: Logger,
         clock: @escaping MillisecondClock) throws {
        let wakeup = Wakeup()
        var sources: [any LineSource] = []
        var forwarders: [StreamForwarder] = []
        for (stream, out) in [(LogStream.stdout, Int32(1)), (LogStream.stderr, Int32(2))] {
            let name = stream == .stdout ? "stdout" : "stderr"
            let path = "\(paths.logDirectory)/\(name).log"
            let spool = try SpoolWriter(path: path)
            let forwarder = StreamForwarder(name: name, output: out, spool: spool, wakeup: wakeup, clock: clock,
                                            notice: { logger.error("\($0)") })
            live.attachByteCounters(stream: name) {
                (forwarder.bytesForwarded.load(ordering: .relaxed), forwarder.bytesNotSpooled.load(ordering: .relaxed))
            }
            let readFD = open(path, O_RDONLY | O_CLOEXEC)
            guard readFD >= 0, let times = SpoolTimeIndex(path: path) else {
                throw SpoolWriter.OpenError(path: path, code: errno)
            }
            let reader = LineBlockReader(fd: readFD, configuration: .init(maxLineBytes: options.maxLineBytes))
            sources.append(SpoolLineSource(name: name, stream: stream, reader: reader, times: times))
            forwarders.append(forwarder)
        }
        let extractor = try MetricExtractor(definitions: spec.metricDefinitions)
        let store = try MetricStore(path: paths.database)
        let last = try store.lastSeq()
        let firstSeq = (0..<spec.metricDefinitions.count).map { (last[$0] ?? -1) + 1 }
        writer = StoreWriter(store: store, live: live, logger: logger)
        let finishedForwarders = forwarders
        let waiting = ExtractionPipeline.Waiting(
            current: { wakeup.current },
            wait: { seen, timeout in wakeup.wait(after: seen, timeoutMs: timeout) },
            writerFinished: { finishedForwarders[$0].isFinished })
        pipeline = ExtractionPipeline(sources: sources, extractor: extractor, writer: writer, live: live,
                                      waiting: waiting, firstSeq: firstSeq, slots: 1,
                                      scalars: try TensorBoardScalars.writer(spec: spec, mlRoot: paths.mlRoot, hostID: options.hostID),
                                      clock: clock)
        self.forwarders = forwarders
        self.logger = logger
    }

    /// Starts forwarding the child's pipes, extraction and the store writer.
    func start(child: ChildProcess) -> RunningPipeline {
        forwarders[0].start(input: child.stdoutFD)
        forwarders[1].start(input: child.stderrFD)
        writer.start()
        pipeline.start()
        return RunningPipeline(forwarders: forwarders, pipeline: pipeline, writer: writer, logger: logger)
    }
}

/// The threads of a run, so the supervisor can wait for all of them to finish.
struct RunningPipeline: @unchecked Sendable {
    let forwarders: [StreamForwarder]
    let pipeline: ExtractionPipeline
    let writer: StoreWriter
    let logger: Logger

    /// Waits for the child's pipes to close (a grandchild may hold them open: then give up after the
    /// deadline), for extraction to reach the end of the spool, and for the last commit.
    func drain(deadlineSeconds: Double) async {
        let forwarders = self.forwarders, pipeline = self.pipeline, writer = self.writer, logger = self.logger
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                let deadline = Date().addingTimeInterval(deadlineSeconds)
                while forwarders.contains(where: { !$0.isFinished }) && Date() < deadline { usleep(10_000) }
                if forwarders.contains(where: { !$0.isFinished }) {
                    logger.warning("the training process exited but its output is still open (a background process?); extracting what was written")
                    pipeline.forceFinal()
                }
                pipeline.waitUntilFinished()
                writer.waitUntilFinished()
                continuation.resume()
            }
            thread.start()
        }
    }
}
