#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a followed file is recognised: device and inode, and a hash of its first bytes. The inode alone
/// is not enough: a rotated file that is deleted frees its inode, and the next file created often gets
/// it (Vector's and fluent-bit's duplicated or skipped lines come from trusting it). Two files with
/// the same first bytes are treated as one, so the fingerprint covers up to `maximumLength` bytes.
public struct FileIdentity: Sendable, Equatable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64
    /// FNV-1a 64 of the first `fingerprintLength` bytes.
    public var fingerprint: UInt64
    public var fingerprintLength: Int

    public static let maximumLength = 1024

    public init(device: UInt64, inode: UInt64, fingerprint: UInt64, fingerprintLength: Int) {
        self.device = device
        self.inode = inode
        self.fingerprint = fingerprint
        self.fingerprintLength = fingerprintLength
    }

    public var description: String {
        "dev \(device) ino \(inode) fp \(String(fingerprint, radix: 16))/\(fingerprintLength)"
    }

    /// The identity of the open file `fd`, fingerprinting up to `length` bytes (fewer if it is shorter).
    public static func of(fd: Int32, length: Int = maximumLength) -> FileIdentity? {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let available = min(length, max(0, Int(st.st_size)))
        guard let fp = fingerprint(fd: fd, length: available) else { return nil }
        return FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), fingerprint: fp, fingerprintLength: available)
    }

    /// FNV-1a 64 of the first `length` bytes of `fd` (read with pread, so the file offset is untouched);
    /// nil when the file is shorter than `length`.
    public static func fingerprint(fd: Int32, length: Int) -> UInt64? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        guard length > 0 else { return hash }
        var buffer = [UInt8](repeating: 0, count: length)
        var got = 0
        while got < length {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, length - got, off_t(got)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return nil }
            got += n
        }
        for b in buffer {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Whether `fd` is this file: the same first bytes (device and inode may differ for a copy).
    public func sameContent(asFileAt fd: Int32) -> Bool {
        FileIdentity.fingerprint(fd: fd, length: fingerprintLength) == fingerprint
    }
}
