import Testing
import LogSources

@Suite struct PartialLineJoinerTests {
    struct Out: Equatable, CustomStringConvertible {
        var time: Int64?
        var stream: LogRecordStream?
        var complete: Bool
        var text: String
        var description: String { "\(time.map(String.init) ?? "-") \(stream.map(\.description) ?? "-") \(complete) \(text)" }
    }

    /// Feeds `(time, stream, partial, message)` records and collects what comes out, then flushes.
    static func run(_ records: [(Int64?, LogRecordStream?, Bool, String)], max: Int = 1 << 20, flush: Bool = true) -> [Out] {
        var joiner = PartialLineJoiner(maxLineBytes: max)
        var out: [Out] = []
        let collect = { (l: LogicalLine) in
            out.append(Out(time: l.time, stream: l.stream, complete: l.isComplete, text: String(decoding: l.bytes, as: UTF8.self)))
        }
        for (time, stream, partial, message) in records {
            let bytes = Array(message.utf8)
            bytes.withUnsafeBytes { joiner.add(LogRecord(time: time, stream: stream, isPartial: partial, message: 0..<bytes.count), in: $0, emit: collect) }
        }
        if flush { joiner.flush(emit: collect) }
        return out
    }

    @Test func fullRecordsPassThrough() {
        #expect(Self.run([(1, .stdout, false, "a"), (2, .stderr, false, "b")])
                == [Out(time: 1, stream: .stdout, complete: true, text: "a"), Out(time: 2, stream: .stderr, complete: true, text: "b")])
    }

    @Test func partialsJoinWithTheTimeOfTheLastRecord() {
        #expect(Self.run([(1, .stdout, true, "a"), (2, .stdout, true, "b"), (3, .stdout, false, "c")])
                == [Out(time: 3, stream: .stdout, complete: true, text: "abc")])
    }

    @Test func streamsJoinSeparately() {
        let got = Self.run([(1, .stdout, true, "o1 "), (2, .stderr, true, "e1 "), (3, nil, true, "n1 "),
                            (4, .stderr, false, "e2"), (5, .stdout, false, "o2"), (6, nil, false, "n2")])
        #expect(got == [Out(time: 4, stream: .stderr, complete: true, text: "e1 e2"),
                        Out(time: 5, stream: .stdout, complete: true, text: "o1 o2"),
                        Out(time: 6, stream: nil, complete: true, text: "n1 n2")])
    }

    @Test func overTheCapComesInSegmentsOfExactlyTheCap() {
        let got = Self.run([(1, .stdout, true, "0123456"), (2, .stdout, true, "789abcdefghij"), (3, .stdout, false, "klm")], max: 5)
        #expect(got.map(\.text) == ["01234", "56789", "abcde", "fghij", "klm"])
        #expect(got.map(\.complete) == [false, false, false, false, true])
        #expect(got.map(\.time) == [1, 2, 2, 2, 3])
    }

    @Test func aLongFullRecordIsSegmentedToo() {
        let got = Self.run([(1, .stdout, false, "0123456789ab")], max: 5)
        #expect(got.map(\.text) == ["01234", "56789", "ab"])
        #expect(got.map(\.complete) == [false, false, true])
    }

    @Test func exactlyTheCapIsOneLine() {
        #expect(Self.run([(1, .stdout, true, "012"), (2, .stdout, true, "34"), (3, .stdout, false, "")], max: 5)
                == [Out(time: 3, stream: .stdout, complete: true, text: "01234")])
        #expect(Self.run([(1, .stdout, false, "01234")], max: 5).map(\.complete) == [true])
    }

    @Test func pendingStaysBoundedByTheCap() {
        var joiner = PartialLineJoiner(maxLineBytes: 100)
        let chunk = [UInt8](repeating: 0x61, count: 37)
        var segments = 0
        for _ in 0..<1000 {
            chunk.withUnsafeBytes {
                joiner.add(LogRecord(time: nil, stream: .stdout, isPartial: true, message: 0..<37), in: $0) { l in
                    #expect(l.bytes.count == 100 && !l.isComplete)
                    segments += 1
                }
            }
            #expect(joiner.pendingByteCount <= 100)
        }
        // 37,000 bytes: 369 segments out, the last 100 held until the line ends or goes on.
        #expect(segments == 369)
        #expect(joiner.pendingByteCount == 100)
    }

    @Test func flushSendsWhatIsPendingAndResetDropsIt() {
        #expect(Self.run([(1, .stderr, true, "cut"), (2, .stdout, true, "off")])
                == [Out(time: 2, stream: .stdout, complete: true, text: "off"), Out(time: 1, stream: .stderr, complete: true, text: "cut")])
        #expect(Self.run([(1, .stdout, true, "x")], flush: false).isEmpty)

        var joiner = PartialLineJoiner()
        Array("x".utf8).withUnsafeBytes { joiner.add(LogRecord(time: 1, stream: .stdout, isPartial: true, message: 0..<1), in: $0) { _ in } }
        #expect(joiner.hasPending)
        joiner.reset()
        #expect(!joiner.hasPending)
        var flushed = 0
        joiner.flush { _ in flushed += 1 }
        #expect(flushed == 0)
    }

    @Test func aFullRecordWithNothingPendingIsNotCopied() {
        var joiner = PartialLineJoiner()
        let line = Array("prefix hello".utf8)
        line.withUnsafeBytes { buffer in
            joiner.add(LogRecord(time: nil, stream: .stdout, isPartial: false, message: 7..<12), in: buffer) { l in
                #expect(l.bytes.baseAddress == buffer.baseAddress! + 7 && l.bytes.count == 5)
            }
        }
    }

    static func add(_ joiner: inout PartialLineJoiner, _ time: Int64?, _ stream: LogRecordStream?, _ partial: Bool, _ text: String,
                    into out: inout [Out]) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes {
            joiner.add(LogRecord(time: time, stream: stream, isPartial: partial, message: 0..<bytes.count), in: $0) { l in
                out.append(Out(time: l.time, stream: l.stream, complete: l.isComplete, text: String(decoding: l.bytes, as: UTF8.self)))
            }
        }
    }

    @Test func savedStateRestoresTheSameLines() {
        var before = PartialLineJoiner()
        var out: [Out] = []
        #expect(before.savedState().isEmpty)
        Self.add(&before, 1, .stdout, true, "out-a ", into: &out)
        Self.add(&before, 2, .stderr, true, "err-a ", into: &out)
        Self.add(&before, nil, nil, true, "none-a ", into: &out)
        let state = before.savedState()
        #expect(state.count == 1 + 3 * 18 + 6 + 6 + 7)

        var after = PartialLineJoiner()
        let restored = after.restore(state)
        #expect(restored)
        #expect(after.pendingByteCount == before.pendingByteCount)
        #expect(after.savedState() == state)
        Self.add(&after, 3, .stderr, false, "err-b", into: &out)
        Self.add(&after, 4, .stdout, false, "out-b", into: &out)
        Self.add(&after, 5, nil, false, "none-b", into: &out)
        #expect(out == [Out(time: 3, stream: .stderr, complete: true, text: "err-a err-b"),
                        Out(time: 4, stream: .stdout, complete: true, text: "out-a out-b"),
                        Out(time: 5, stream: nil, complete: true, text: "none-a none-b")])
        let restoredEmpty = after.restore([])
        #expect(restoredEmpty && !after.hasPending)
    }

    @Test(arguments: [[2], [1, 0], [1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 65],
                      [1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 65],
                      [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 65,
                          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 66]] as [[UInt8]])
    func damagedStateIsRefusedAndLeavesNothingPending(_ state: [UInt8]) {
        var joiner = PartialLineJoiner()
        var out: [Out] = []
        Self.add(&joiner, 1, .stdout, true, "x", into: &out)
        let restored = joiner.restore(state)
        #expect(!restored)
        #expect(!joiner.hasPending)
    }

    @Test func stateSavedUnderALargerCapComesOutInSegments() {
        var big = PartialLineJoiner(maxLineBytes: 100)
        var out: [Out] = []
        Self.add(&big, 1, .stdout, true, "0123456789ab", into: &out)
        var small = PartialLineJoiner(maxLineBytes: 5)
        var restored = small.restore(big.savedState())
        #expect(restored)
        Self.add(&small, 2, .stdout, false, "cd", into: &out)
        #expect(out.map(\.text) == ["01234", "56789", "abcd"])
        #expect(out.map(\.complete) == [false, false, true])
        #expect(out.map(\.time) == [1, 1, 2])

        out = []
        restored = small.restore(big.savedState())
        #expect(restored)
        small.flush { out.append(Out(time: $0.time, stream: $0.stream, complete: $0.isComplete, text: String(decoding: $0.bytes, as: UTF8.self))) }
        #expect(out.map(\.text) == ["01234", "56789", "ab"])
    }
}
