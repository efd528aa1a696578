#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrainScopeTesting
@testable import LogSources

@Suite struct LineBlockReaderTests {
    /// Reads a whole file through the reader and returns its lines, marking segments.
    static func lines(of bytes: [UInt8], maxLine: Int = 1024, readSize: Int = 64) -> [(String, Bool)] {
        let dir = TemporaryDirectory()
        let path = dir.file("log")
        let fd = open(path, O_CREAT | O_WRONLY, 0o644)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        let rfd = open(path, O_RDONLY)
        defer { close(rfd) }
        let reader = LineBlockReader(fd: rfd, configuration: .init(readSize: readSize, maxLineBytes: maxLine))
        var out: [(String, Bool)] = []
        while case .block(let b) = reader.next() {
            b.forEachLine { out.append((String(decoding: $0, as: UTF8.self), $1)) }
        }
        return out
    }

    @Test func splitsOnNewlineOnly() {
        let got = Self.lines(of: Array("a\r\nb\tc\n\nlast".utf8))
        #expect(got.map(\.0) == ["a\r", "b\tc", "", "last"])
        #expect(got.allSatisfy { $0.1 })
    }

    @Test func emptyInputHasNoLines() {
        #expect(Self.lines(of: []).isEmpty)
        #expect(Self.lines(of: Array("\n".utf8)).map(\.0) == [""])
    }

    @Test func overlongLinesComeInBoundedSegments() {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 5000) + Array("\nok\n".utf8)
        let got = Self.lines(of: long, maxLine: 1024, readSize: 100)
        #expect(got.count == 6)
        #expect(got.prefix(4).allSatisfy { $0.0.count == 1024 && !$0.1 })
        #expect(got[4].0.count == 5000 - 4096 && got[4].1)
        #expect(got[5].0 == "ok")
    }

    @Test func followModeWaitsForTheRestOfALine() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("spool")
        let w = open(path, O_CREAT | O_WRONLY, 0o644)
        defer { close(w) }
        let r = open(path, O_RDONLY)
        defer { close(r) }
        let reader = LineBlockReader(fd: r)
        _ = Array("one\ntw".utf8).withUnsafeBytes { write(w, $0.baseAddress, $0.count) }
        guard case .block(let first) = reader.next(follow: true, final: false) else { Issue.record("no block"); return }
        #expect(first.bytes.count == 4)
        guard case .waiting = reader.next(follow: true, final: false) else { Issue.record("should wait"); return }
        _ = Array("o\n".utf8).withUnsafeBytes { write(w, $0.baseAddress, $0.count) }
        guard case .block(let second) = reader.next(follow: true, final: false) else { Issue.record("no block"); return }
        #expect(Array(second.bytes) == Array("two\n".utf8))
        #expect(second.offset == 4)
    }
}
