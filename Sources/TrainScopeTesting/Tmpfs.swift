#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A small tmpfs mounted for a test, to make a disk really full (ENOSPC from the kernel, for the
/// spool's write(2) and SQLite alike). Needs CAP_SYS_ADMIN, as root in CI has; `isAvailable` says
/// whether this machine allows it. Unmounted when released.
public final class Tmpfs: @unchecked Sendable {
    public let path: String

    public static let isAvailable: Bool = {
        let probe = TemporaryDirectory(prefix: "tmpfs-probe")
        guard mount("tmpfs", probe.path, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(probe.path)
        return true
    }()

    public init(at path: String, sizeBytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(sizeBytes)") == 0 else {
            throw TmpfsError(description: "mount tmpfs at \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
    }

    deinit { umount2(path, Int32(MNT_DETACH)) }

    /// Fills the file system with `<path>/<name>` until the kernel says ENOSPC.
    @discardableResult
    public func fill(name: String = "filler") -> Int {
        let fd = open("\(path)/\(name)", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        var total = 0
        while true {
            let n = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        // Byte by byte, the last partial page.
        var one: UInt8 = 0x5A
        while write(fd, &one, 1) == 1 { total += 1 }
        return total
    }

    public func free(name: String = "filler") { unlink("\(path)/\(name)") }
}

public struct TmpfsError: Error, CustomStringConvertible {
    public var description: String
}
