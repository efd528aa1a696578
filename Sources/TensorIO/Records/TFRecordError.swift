/// A record that cannot be read, with the file and the byte offset where its record starts.
public struct TFRecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The length field's CRC does not match: the file is corrupt (or not a TFRecord file).
        case badLengthChecksum(stored: UInt32, computed: UInt32)
        /// The payload's CRC matches neither the payload nor an accepted constant.
        case badPayloadChecksum(stored: UInt32, computed: UInt32)
        /// A finished file ends inside a record.
        case truncated(needed: Int, available: Int)
        /// The length field asks for more than the reader accepts.
        case recordTooLarge(length: UInt64, limit: Int)
        /// The file could not be opened or read.
        case io(errno: Int32)
        /// An index or caller named a range that does not hold exactly one record.
        case rangeMismatch(expected: Int, actual: Int)
    }

    public var path: String
    public var offset: Int
    public var kind: Kind

    public init(path: String, offset: Int, kind: Kind) {
        self.path = path
        self.offset = offset
        self.kind = kind
    }

    public var description: String {
        let what: String
        switch kind {
        case .badLengthChecksum(let stored, let computed):
            what = "bad length CRC (stored 0x\(hex(stored)), computed 0x\(hex(computed)))"
        case .badPayloadChecksum(let stored, let computed):
            what = "bad payload CRC (stored 0x\(hex(stored)), computed 0x\(hex(computed)))"
        case .truncated(let needed, let available):
            what = "truncated record: needs \(needed) bytes, the file has \(available) from here"
        case .recordTooLarge(let length, let limit):
            what = "record length \(length) is over the limit of \(limit) bytes"
        case .io(let code):
            what = "cannot read: \(String(cString: strerror(code)))"
        case .rangeMismatch(let expected, let actual):
            what = "range of \(expected) bytes holds a record of \(actual) bytes"
        }
        return "\(path): offset \(offset): \(what)"
    }

    private func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
