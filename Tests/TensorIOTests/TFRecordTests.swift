#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TrainScopeTesting
@testable import TensorIO

@Suite struct TFRecordTests {
    static func frame(_ payload: [UInt8], _ checksum: TFRecord.PayloadChecksum) -> [UInt8] {
        var out: [UInt8] = []
        TFRecord.append(payload: payload, checksum: checksum, to: &out)
        return out
    }

    @Test func framingMatchesTheDocumentedLayout() {
        let payload = Array("hello".utf8)
        let bytes = Self.frame(payload, .crc32c)
        #expect(bytes.count == payload.count + 16)
        #expect(Array(bytes[0..<8]) == [5, 0, 0, 0, 0, 0, 0, 0])
        let lengthCRC = CRC32C.maskedChecksum(Array(bytes[0..<8]))
        #expect(Array(bytes[8..<12]) == withUnsafeBytes(of: lengthCRC.littleEndian) { Array($0) })
        #expect(Array(bytes[12..<17]) == payload)
        let payloadCRC = CRC32C.maskedChecksum(payload)
        #expect(Array(bytes[17..<21]) == withUnsafeBytes(of: payloadCRC.littleEndian) { Array($0) })
        let smdebug = Self.frame(payload, .smdebugConstant)
        #expect(Array(smdebug[17..<21]) == [0xB3, 0xC0, 0x2D, 0x06])
    }

    /// The header of the oracle's `loss` record (smdebug-formats.md A.3): a 62-byte payload.
    @Test func oracleHeaderBytes() {
        var out: [UInt8] = []
        TFRecord.appendHeader(length: 0x3E, to: &out)
        #expect(out == [0x3E, 0, 0, 0, 0, 0, 0, 0, 0xD9, 0xD2, 0x40, 0xE7])
    }

    @Test func writerAndReaderRoundTripSmallAndLargeRecords() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("r.tfevents")
        let writer = try TFRecordFileWriter(path: path, checksum: .crc32c, bufferCapacity: 64)
        let payloads: [[UInt8]] = [[], [1], Array(repeating: 7, count: 10), Array(repeating: 9, count: 1000), [2, 3]]
        var spans: [(Int, Int)] = []
        for p in payloads { let s = try writer.append(payload: p); spans.append((s.offset, s.length)) }
        try writer.close()
        let reader = try TFRecordReader(path: path, check: .crc32c)
        let records = try reader.readAll(requireComplete: true)
        #expect(records.map(\.payload) == payloads)
        #expect(records.map(\.offset) == spans.map(\.0))
        #expect(records.map(\.length) == spans.map(\.1))
        let third = try reader.record(at: spans[3].0, length: spans[3].1)
        #expect(third.payload == payloads[3])
    }

    @Test func partialLastRecordIsPendingThenCompletes() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("growing")
        let whole = Self.frame(Array("first".utf8), .crc32c) + Self.frame(Array("second record".utf8), .crc32c)
        let cut = whole.count - 5
        writeFile(path, Data(whole[..<cut]))
        let reader = try TFRecordReader(path: path, check: .crc32c)
        guard case .record(let r) = try reader.next() else { Issue.record("expected a record"); return }
        #expect(r.payload == Array("first".utf8))
        #expect(try reader.next() == .pending(available: cut - r.length))
        #expect(try reader.next() == .pending(available: cut - r.length))   // still not there
        // The writer finishes the record: the same reader picks it up from where it stopped.
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data(whole[cut...]))
        try handle.close()
        guard case .record(let r2) = try reader.next() else { Issue.record("expected the second record"); return }
        #expect(r2.payload == Array("second record".utf8))
        #expect(try reader.next() == .end)
    }

    @Test func truncatedFinishedFileNamesFileAndOffset() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("cut.tfevents")
        let first = Self.frame(Array("a".utf8), .crc32c)
        let whole = first + Self.frame(Array(repeating: 1, count: 40), .crc32c)
        writeFile(path, Data(whole.dropLast(3)))
        let reader = try TFRecordReader(path: path, check: .crc32c)
        let error = #expect(throws: TFRecordError.self) { try reader.readAll(requireComplete: true) }
        #expect(error?.offset == first.count)
        #expect(error?.kind == .truncated(needed: 56, available: 53))
        #expect(error?.description == "\(path): offset \(first.count): truncated record: needs 56 bytes, the file has 53 from here")
    }

    @Test func badLengthCRCIsAnError() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("bad-length")
        var bytes = Self.frame(Array("x".utf8), .crc32c) + Self.frame(Array("y".utf8), .crc32c)
        bytes[17 + 8] ^= 0xFF   // the second record's length CRC
        writeFile(path, Data(bytes))
        let reader = try TFRecordReader(path: path)
        _ = try reader.next()
        let error = #expect(throws: TFRecordError.self) { try reader.next() }
        #expect(error?.offset == 17)
        if case .badLengthChecksum = error?.kind {} else { Issue.record("wrong kind \(String(describing: error))") }
        #expect(error?.description.contains("bad length CRC") == true)
    }

    @Test func badPayloadCRCIsAnError() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("bad-payload")
        var bytes = Self.frame(Array("payload".utf8), .crc32c)
        bytes[13] ^= 0x01
        writeFile(path, Data(bytes))
        let error = #expect(throws: TFRecordError.self) { try TFRecordReader(path: path, check: .crc32c).next() }
        #expect(error?.offset == 0)
        #expect(error?.description.hasPrefix("\(path): offset 0: bad payload CRC") == true)
    }

    @Test func payloadCheckModes() throws {
        let dir = TemporaryDirectory()
        let real = dir.file("real"), constant = dir.file("constant")
        writeFile(real, Data(Self.frame([1, 2, 3], .crc32c)))
        writeFile(constant, Data(Self.frame([1, 2, 3], .smdebugConstant)))
        for path in [real, constant] {
            #expect(throws: Never.self) { _ = try TFRecordReader(path: path, check: .either).readAll(requireComplete: true) }
            #expect(throws: Never.self) { _ = try TFRecordReader(path: path, check: .none).readAll(requireComplete: true) }
        }
        #expect(throws: TFRecordError.self) { try TFRecordReader(path: constant, check: .crc32c).readAll(requireComplete: true) }
        // smdebug's reader rejects real CRCs; so does the strict smdebug mode.
        #expect(throws: TFRecordError.self) { try TFRecordReader(path: real, check: .smdebugConstant).readAll(requireComplete: true) }
    }

    @Test func missingFileIsAnIOError() {
        let error = #expect(throws: TFRecordError.self) { try TFRecordReader(path: "/nonexistent/x.tfevents") }
        #expect(error?.kind == .io(errno: ENOENT))
    }
}

func writeFile(_ path: String, _ data: Data) {
    precondition(FileManager.default.createFile(atPath: path, contents: data), "cannot write \(path)")
}
