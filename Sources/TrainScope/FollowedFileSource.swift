#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LogSources
import Logging
import Store

/// A followed log file (plain, CRI or Docker json-file) as a line source for `tail`. Its position
/// names the file and offset, and carries the partial records it holds (a CRI `P` record whose line
/// has not ended yet), so a commit is an exact point to resume from: nothing after it was stored,
/// nothing before it is read again.
final class FollowedFileSource: LineSource, @unchecked Sendable {
    let name: String
    let slot: Int
    let sourceID: Int64?
    private let follower: FileFollower
    /// nil: detect each file's format from its first line.
    private let configuredFormat: LogFormat?
    private var format: LogFormat?
    private var joiner: PartialLineJoiner
    private var scratch: [UInt8] = []
    private var line: Int64
    /// Inside an over-long raw line (plain text, or a record line cut at the maximum length).
    private var insideLine = false
    /// Inside an over-long joined line (the joiner handed out a segment).
    private var insideLineJoined = false
    private var currentFile: FileIdentity?
    private var committed: SourcePosition
    private let clock: MillisecondClock
    private let logger: Logger
    private(set) var stats = SourceStats()

    init(name: String, slot: Int, sourceID: Int64?, format: LogFormat?, resume: SourcePosition?,
         configuration: FileFollower.Configuration, clock: @escaping MillisecondClock, logger: Logger) {
        self.name = name
        self.slot = slot
        self.sourceID = sourceID
        configuredFormat = format
        self.clock = clock
        self.logger = logger
        joiner = PartialLineJoiner(maxLineBytes: configuration.maxLineBytes)
        var checkpoint: FileFollower.Checkpoint?
        if let resume, let file = resume.file {
            let identity = FileIdentity(device: file.device, inode: file.inode, fingerprint: file.fingerprint,
                                        fingerprintLength: file.fingerprintLength)
            checkpoint = .init(file: identity, offset: resume.byteOffset, modifiedNs: file.modifiedNs)
            currentFile = identity
            if let state = resume.pending, !state.isEmpty { joiner.restore(state) }
        }
        line = resume?.line ?? 0
        committed = resume ?? SourcePosition(source: name, byteOffset: 0, line: 0)
        follower = FileFollower(path: name, resumeFrom: checkpoint, configuration: configuration)
    }

    var position: SourcePosition { committed }

    func poll(final: Bool, _ body: (SourceLine) -> Void) -> PollResult {
        guard let block = follower.next() else {
            note(follower.takeEvents())
            return .idle
        }
        note(follower.takeEvents())
        if !Self.sameFile(block.file, currentFile) {
            // A new file: what was pending belonged to the old one and ends with it.
            joiner.flush { emit($0, body) }
            line = 0
            insideLine = false
            insideLineJoined = false
            if currentFile != nil { format = nil }
            currentFile = block.file
        }
        let nowMs = clock()
        block.forEachLine { bytes, complete in
            if format == nil {
                format = configuredFormat ?? LogFormatDetector.detect(firstLine: bytes)
                logger.info("\(name): \(format!.rawValue) format")
            }
            switch format! {
            case .plain:
                if !insideLine { line += 1 }
                if complete { stats.lines += 1 } else { stats.splitLines += 1 }
                insideLine = !complete
                body(SourceLine(bytes: bytes, timeMs: nowMs, stream: .stdout, number: line, complete: complete))
            case .cri, .docker:
                record(bytes, complete: complete, body)
            }
        }
        stats.bytes += Int64(block.bytes.count)
        stats.lagBytes = follower.lagBytes
        committed = SourcePosition(source: name, byteOffset: block.endOffset, line: line,
                                   file: FileIdentityRecord(device: block.file.device, inode: block.file.inode,
                                                            fingerprint: block.file.fingerprint,
                                                            fingerprintLength: block.file.fingerprintLength,
                                                            modifiedNs: block.modifiedNs),
                                   pending: joiner.hasPending ? joiner.savedState() : nil)
        return .read
    }

    /// One CRI or Docker record line: parsed, then joined with its partial siblings.
    private func record(_ bytes: UnsafeRawBufferPointer, complete: Bool, _ body: (SourceLine) -> Void) {
        // A record line is at most 16 KiB as runtimes write them; one cut at the maximum line length
        // is not a record, and neither is the rest of it.
        if !complete || insideLine {
            if !insideLine { stats.invalidRecords += 1 }
            insideLine = !complete
            return
        }
        do {
            let record: LogRecord
            if format == .cri {
                record = try CRIRecordParser.parse(bytes)
                joiner.add(record, in: bytes) { emit($0, body) }
            } else {
                record = try DockerJSONRecordParser.parse(bytes, message: &scratch)
                scratch.withUnsafeBytes { buffer in joiner.add(record, in: buffer) { emit($0, body) } }
            }
        } catch {
            stats.invalidRecords += 1
            if stats.invalidRecords <= 10 { logger.warning("\(name): skipped a line that is not a \(format!.rawValue) record: \(error)") }
        }
    }

    private func emit(_ logical: LogicalLine, _ body: (SourceLine) -> Void) {
        if !insideLineJoined { line += 1 }
        insideLineJoined = !logical.isComplete
        if logical.isComplete { stats.lines += 1 } else { stats.splitLines += 1 }
        // The record's own time (nanoseconds) where it has one.
        let timeMs = logical.time.map { $0 / 1_000_000 } ?? clock()
        body(SourceLine(bytes: logical.bytes, timeMs: timeMs, stream: logical.stream == .stderr ? .stderr : .stdout,
                        number: line, complete: logical.isComplete))
    }

    private func note(_ events: [FileFollower.Event]) {
        for event in events {
            switch event {
            case .rotated: stats.rotations += 1
            case .truncated, .replaced: stats.truncations += 1
            case .opened(let id): logger.info("\(name): following (\(id))")
            case .recoveredFromSibling(let path): logger.notice("\(name): reading the rest of the rotated file from \(path)")
            case .checkpointedFileLost:
                logger.warning("\(name): the file read before the restart is gone (not at the path nor beside it); continuing with the new file")
            }
            if case .rotated = event { logger.notice("\(name): rotated") }
            if case .truncated = event { logger.notice("\(name): truncated") }
        }
    }

    static func sameFile(_ a: FileIdentity, _ b: FileIdentity?) -> Bool {
        guard let b else { return false }
        return a.device == b.device && a.inode == b.inode
    }
}
