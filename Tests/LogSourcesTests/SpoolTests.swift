#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TrainScopeTesting
@testable import LogSources

/// The spool under a disk that fills up and frees again (a write function that refuses bytes beyond
/// a budget, as write(2) does with ENOSPC): the log keeps whole lines the child wrote, a line cut by
/// the gap is closed and marked so extraction drops it, nothing is glued across the gap, and the
/// time index stays in whole records.
@Suite struct SpoolTests {
    final class Disk: @unchecked Sendable {
        /// Bytes the log / the index may still take; nil: unlimited.
        var logBudget: Int?
        var indexBudget: Int?

        func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, error: Int32?) {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? ""
            let isLog = target.hasSuffix(".log")
            let budget = isLog ? logBudget : indexBudget
            let allowed = min(bytes.count, budget ?? Int.max)
            let (written, error) = SpoolWriter.systemWrite(fd, UnsafeRawBufferPointer(rebasing: bytes[0..<allowed]))
            if let budget {
                if isLog { logBudget = budget - written } else { indexBudget = budget - written }
            }
            return written < bytes.count ? (written, error ?? ENOSPC) : (written, nil)
        }
    }

    struct Spooled {
        let dir = TemporaryDirectory(prefix: "spool")
        let disk = Disk()
        let spool: SpoolWriter
        init() throws {
            let disk = self.disk
            spool = try SpoolWriter(path: dir.file("stdout.log")) { disk.write($0, $1) }
        }

        func append(_ text: String, at time: Int64) -> Int {
            Array(text.utf8).withUnsafeBytes { spool.append($0, timeMs: time) }
        }

        var log: String { (try? String(contentsOfFile: dir.file("stdout.log"), encoding: .utf8)) ?? "" }

        /// The lines extraction would match (cut ones left out), with their read times.
        func extractedLines() throws -> [(String, Int64)] {
            let fd = open(dir.file("stdout.log"), O_RDONLY)
            defer { close(fd) }
            let reader = LineBlockReader(fd: fd)
            let times = try #require(SpoolTimeIndex(path: dir.file("stdout.log")))
            var lines: [(String, Int64)] = []
            while case .block(let block) = reader.next() {
                let base = block.bytes.baseAddress!
                block.forEachLine { bytes, complete in
                    let end = block.offset + Int64(base.distance(to: bytes.baseAddress ?? base) + bytes.count)
                    if complete && times.isCut(lineEndingAt: end) { return }
                    lines.append((String(decoding: bytes, as: UTF8.self), times.time(at: max(0, end - 1))))
                }
            }
            return lines
        }

        var indexBytes: Int { (try? FileManager.default.attributesOfItem(atPath: dir.file("stdout.log.idx"))[.size] as? Int) ?? -1 }
    }

    @Test func aLineCutByTheGapIsClosedAndLeftOut() throws {
        let s = try Spooled()
        #expect(s.append("loss=1\nloss=2\n", at: 1) == 0)
        s.disk.logBudget = 9                                  // "loss=3\nlo" fits
        #expect(s.append("loss=3\nloss=4\n", at: 2) == 5)
        #expect(s.spool.failedWrites == 1 && s.spool.lastError == ENOSPC)
        s.disk.logBudget = nil                                // space again
        #expect(s.append("loss=5\nloss=6\n", at: 3) == 0)     // the dropped bytes ended a line: nothing to skip
        #expect(s.log == "loss=1\nloss=2\nloss=3\nlo\nloss=5\nloss=6\n")
        #expect(s.spool.cutLines == 1)
        let lines = try s.extractedLines()
        #expect(lines.map(\.0) == ["loss=1", "loss=2", "loss=3", "loss=5", "loss=6"])
        #expect(lines.map(\.1) == [1, 1, 2, 3, 3])
        #expect(s.indexBytes % 16 == 0)
    }

    /// A whole chunk refused while a line was open: the line's start is closed and left out, and the
    /// rest of the line after the gap is not written, so "los" + "s=4" never becomes loss=4 (or
    /// worse, a wrong number).
    @Test func theRestOfALineWhoseStartWasLostIsNotWritten() throws {
        let s = try Spooled()
        #expect(s.append("loss=1\nlos", at: 1) == 0)
        s.disk.logBudget = 0
        #expect(s.append("s=2\nloss=3\nlos", at: 2) == 14)
        #expect(s.append("s=3", at: 2) == 3)                  // still full
        s.disk.logBudget = nil
        #expect(s.append("7\nloss=5\n", at: 3) == 2)          // "7\n" ends the line cut by the gap
        #expect(s.log == "loss=1\nlos\nloss=5\n")
        #expect(try s.extractedLines().map(\.0) == ["loss=1", "loss=5"])
        #expect(s.append("loss=6\n", at: 4) == 0)
        #expect(try s.extractedLines().map(\.0) == ["loss=1", "loss=5", "loss=6"])
    }

    /// The index refused in the middle of a record: the rest of the record goes first when the disk
    /// takes bytes again, so the index never loses its 16-byte framing.
    @Test func aHalfWrittenIndexRecordIsCompletedFirst() throws {
        let s = try Spooled()
        #expect(s.append("loss=1\n", at: 1) == 0)
        s.disk.indexBudget = 5
        #expect(s.append("loss=2\n", at: 2) == 7)
        #expect(s.indexBytes == 16 + 5)
        s.disk.indexBudget = nil
        #expect(s.append("loss=3\n", at: 3) == 0)
        #expect(s.indexBytes % 16 == 0)
        let lines = try s.extractedLines()
        #expect(lines.map(\.0) == ["loss=1", "loss=3"])
        #expect(lines.map(\.1) == [1, 3])
    }
}
