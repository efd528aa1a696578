/// NumPy's `.npz` (what `numpy.savez` writes): a ZIP archive of `<name>.npy` members. Only stored
/// (uncompressed) members are read, which is what `savez` writes; `savez_compressed` output is
/// refused. ZIP64 sizes and offsets in the member records (numpy forces them) are understood.
public enum NPZ {
    public struct Member: Sendable, Equatable {
        /// The array's name: the member's file name without `.npy`.
        public var name: String
        /// Where the member's `.npy` bytes are in the archive.
        public var range: Range<Int>
    }

    public static func members(_ bytes: UnsafeRawBufferPointer) throws(NPY.Error) -> [Member] {
        func u16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        func u64(_ i: Int) -> Int { u32(i) | u32(i + 4) << 32 }
        // End of central directory: the last "PK\5\6" within the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { throw NPY.Error("not a .npz (ZIP) archive") }
        var eocd = -1
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65535)
        while i >= lowest {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 5, bytes[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw NPY.Error("not a .npz (ZIP) archive: no end of central directory") }
        let count = u16(eocd + 10)
        var p = u32(eocd + 16)
        var members: [Member] = []
        for _ in 0..<count {
            guard p + 46 <= bytes.count, u32(p) == 0x0201_4B50 else { throw NPY.Error("corrupt .npz central directory") }
            let method = u16(p + 10)
            var compressed = u32(p + 20)
            var uncompressed = u32(p + 24)
            let nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32)
            var local = u32(p + 42)
            guard p + 46 + nameLength + extraLength <= bytes.count else { throw NPY.Error("corrupt .npz central directory") }
            let fileName = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLength)]), as: UTF8.self)
            // ZIP64 extra field: the 8-byte values for whichever 32-bit fields hold 0xFFFFFFFF.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = u16(e), size = u16(e + 2)
                if id == 1 {
                    var q = e + 4
                    if uncompressed == 0xFFFF_FFFF, q + 8 <= e + 4 + size { uncompressed = u64(q); q += 8 }
                    if compressed == 0xFFFF_FFFF, q + 8 <= e + 4 + size { compressed = u64(q); q += 8 }
                    if local == 0xFFFF_FFFF, q + 8 <= e + 4 + size { local = u64(q); q += 8 }
                }
                e += 4 + size
            }
            p = extraEnd + commentLength
            if fileName.hasSuffix("/") { continue }
            guard method == 0 else {
                throw NPY.Error("member \(fileName) is compressed (method \(method)); send numpy.savez output, not savez_compressed")
            }
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4B50 else { throw NPY.Error("corrupt .npz member \(fileName)") }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard compressed == uncompressed, start + compressed <= bytes.count else {
                throw NPY.Error("corrupt .npz member \(fileName)")
            }
            let name = fileName.hasSuffix(".npy") ? String(fileName.dropLast(4)) : fileName
            members.append(Member(name: name, range: start..<(start + compressed)))
        }
        return members
    }
}
