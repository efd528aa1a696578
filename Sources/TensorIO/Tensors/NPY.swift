import Foundation

/// NumPy's `.npy` format (versions 1.0, 2.0, 3.0): `\x93NUMPY`, version, header length, a Python
/// dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, then the raw data.
public enum NPY {
    public struct Header: Sendable, Equatable {
        public var dtype: TensorDType
        /// `>`: the data must be byte-swapped to little-endian.
        public var bigEndian: Bool
        public var fortranOrder: Bool
        public var shape: [Int]
        /// Where the data starts.
        public var dataOffset: Int
    }

    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    public static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws(Error) -> Header {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw Error("not a .npy file (no \\x93NUMPY magic)") }
        let major = bytes[6]
        let headerLength: Int
        let start: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw Error("truncated .npy header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            start = 12
        default:
            throw Error("unsupported .npy version \(major).\(bytes[7])")
        }
        guard headerLength <= 1 << 20, start + headerLength <= bytes.count else { throw Error("truncated .npy header") }
        let header = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + headerLength)])
        guard let descrText = value(of: "descr", in: header), let fortranText = value(of: "fortran_order", in: header),
              let shapeText = value(of: "shape", in: header) else {
            throw Error("the .npy header needs 'descr', 'fortran_order' and 'shape': \(String(decoding: header.prefix(200), as: UTF8.self))")
        }
        let d = String(decoding: descrText.filter { $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\"") }, as: UTF8.self)
        guard d.count >= 2, let order = d.first, "<>|=".contains(order), let dtype = TensorDType(name: String(d.dropFirst())),
              dtype != .string else {
            throw Error("unsupported dtype '\(d)'; use float16/32/64, int8/16/32/64, uint8/16/32/64, bool, complex64/128")
        }
        let fortranOrder: Bool
        switch String(decoding: fortranText, as: UTF8.self) {
        case "False": fortranOrder = false
        case "True": fortranOrder = true
        default: throw Error("fortran_order must be True or False")
        }
        // "(2, 3)", "(5,)", "()": digits separated by commas (and spaces, an `L` from Python 2).
        var shape: [Int] = []
        var current: Int?
        for b in shapeText {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (m, o1) = (current ?? 0).multipliedReportingOverflow(by: 10)
                let (v, o2) = m.addingReportingOverflow(Int(b - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw Error("bad shape \(String(decoding: shapeText, as: UTF8.self))") }
                current = v
            case UInt8(ascii: ","), UInt8(ascii: ")"):
                if let c = current { shape.append(c) }
                current = nil
            case UInt8(ascii: "("), UInt8(ascii: " "), UInt8(ascii: "L"):
                continue
            default:
                throw Error("bad shape \(String(decoding: shapeText, as: UTF8.self))")
            }
        }
        if let c = current { shape.append(c) }
        return Header(dtype: dtype, bigEndian: order == ">" && dtype.itemSize > 1, fortranOrder: fortranOrder, shape: shape,
                      dataOffset: start + headerLength)
    }

    /// The bytes after `'key':` (spaces trimmed) up to the next top-level comma or brace; a
    /// parenthesized tuple is one value.
    static func value(of key: String, in header: UnsafeRawBufferPointer) -> [UInt8]? {
        let bytes = Array(header)
        for quote in [UInt8(ascii: "'"), UInt8(ascii: "\"")] {
            let needle = [quote] + Array(key.utf8) + [quote]
            guard let at = find(needle, in: bytes) else { continue }
            var i = at + needle.count
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
            var depth = 0
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") { depth -= 1 }
                if (c == UInt8(ascii: ",") || c == UInt8(ascii: "}")) && depth <= 0 { break }
                out.append(c)
                i += 1
            }
            while out.last == UInt8(ascii: " ") { out.removeLast() }
            return out
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    /// A tensor from a whole `.npy` file: byte-swapped to little-endian and put in C order when needed.
    public static func tensor(name: String, from bytes: UnsafeRawBufferPointer, maxDimensions: Int = 32) throws(Error) -> Tensor {
        let h = try parseHeader(bytes)
        try checkDataSize(h, dataCount: bytes.count - h.dataOffset, maxDimensions: maxDimensions)
        return tensor(name: name, header: h, data: Data(UnsafeRawBufferPointer(rebasing: bytes[h.dataOffset...])))
    }

    /// Checks that `dataCount` bytes fill the header's shape.
    public static func checkDataSize(_ h: Header, dataCount: Int, maxDimensions: Int = 32) throws(Error) {
        guard h.shape.count <= maxDimensions else { throw Error("\(h.shape.count) dimensions; at most \(maxDimensions)") }
        var count = 1
        for d in h.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw Error("shape \(h.shape) is too large") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: h.dtype.itemSize)
        guard !overflow, byteCount == dataCount else {
            throw Error("shape \(h.shape) of \(h.dtype.rawValue) needs \(byteCount) data bytes, the body has \(dataCount)")
        }
    }

    /// The tensor over already-extracted data bytes (byte-swapped and reordered here when needed).
    public static func tensor(name: String, header h: Header, data: Data) -> Tensor {
        var data = data
        if h.bigEndian { swapBytes(&data, dtype: h.dtype) }
        if h.fortranOrder && h.shape.count > 1 { data = fortranToC(data, shape: h.shape, itemSize: h.dtype.itemSize) }
        return Tensor(name: name, dtype: h.dtype, shape: h.shape, content: data)
    }

    /// Writes a `.npy` (version 1.0) for a tensor, as `numpy.save` does.
    public static func encode(_ t: Tensor) -> [UInt8] {
        let shape = t.shape.count == 1 ? "(\(t.shape[0]),)" : "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(t.dtype.numpyDescr ?? "|u1")', 'fortran_order': False, 'shape': \(shape), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var out = magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        out += Array(header.utf8)
        out += Array(t.content)
        return out
    }

    static func swapBytes(_ data: inout Data, dtype: TensorDType) {
        // Complex numbers swap each component.
        let width = dtype == .complex64 ? 4 : dtype == .complex128 ? 8 : dtype.itemSize
        data.withUnsafeMutableBytes { raw in
            var i = 0
            while i + width <= raw.count {
                var a = i, b = i + width - 1
                while a < b {
                    raw.swapAt(a, b)
                    a += 1
                    b -= 1
                }
                i += width
            }
        }
    }

    /// Reorders a column-major array into row-major order.
    static func fortranToC(_ data: Data, shape: [Int], itemSize: Int) -> Data {
        let n = shape.count
        var fStrides = [Int](repeating: itemSize, count: n)
        for i in 1..<n { fStrides[i] = fStrides[i - 1] * shape[i - 1] }
        var out = Data(count: data.count)
        let count = shape.reduce(1, *)
        data.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                var index = [Int](repeating: 0, count: n)
                for k in 0..<count {
                    var offset = 0
                    for i in 0..<n { offset += index[i] * fStrides[i] }
                    dst.baseAddress!.advanced(by: k * itemSize).copyMemory(from: src.baseAddress!.advanced(by: offset), byteCount: itemSize)
                    var d = n - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < shape[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
        return out
    }
}
