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
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + headerLength)]), as: UTF8.self)
        guard let descr = value(of: "descr", in: text), let fortran = value(of: "fortran_order", in: text),
              let shapeText = value(of: "shape", in: text) else {
            throw Error("the .npy header needs 'descr', 'fortran_order' and 'shape': \(text.prefix(200))")
        }
        let d = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
        guard d.count >= 2, let order = d.first, "<>|=".contains(order), let dtype = TensorDType(name: String(d.dropFirst())),
              dtype != .string else {
            throw Error("unsupported dtype '\(d)'; use float16/32/64, int8/16/32/64, uint8/16/32/64, bool, complex64/128")
        }
        let fortranOrder: Bool
        switch fortran.trimmingCharacters(in: .whitespaces) {
        case "False": fortranOrder = false
        case "True": fortranOrder = true
        default: throw Error("fortran_order must be True or False")
        }
        let inner = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
            if p.isEmpty { continue }
            guard let n = Int(p), n >= 0 else { throw Error("bad shape (\(inner))") }
            shape.append(n)
        }
        return Header(dtype: dtype, bigEndian: order == ">" && dtype.itemSize > 1, fortranOrder: fortranOrder, shape: shape,
                      dataOffset: start + headerLength)
    }

    /// The text after `'key':` up to the next top-level comma (a tuple counts as one value).
    static func value(of key: String, in header: String) -> String? {
        for quote in ["'", "\""] {
            guard let r = header.range(of: "\(quote)\(key)\(quote)") else { continue }
            var rest = header[r.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst().drop { $0 == " " }
            var depth = 0
            var out = ""
            for c in rest {
                if c == "(" || c == "[" { depth += 1 }
                if c == ")" || c == "]" { depth -= 1 }
                if (c == "," || c == "}") && depth == 0 { break }
                out.append(c)
            }
            return out
        }
        return nil
    }

    /// A tensor from a whole `.npy` file: byte-swapped to little-endian and put in C order when needed.
    public static func tensor(name: String, from bytes: UnsafeRawBufferPointer, maxDimensions: Int = 32) throws(Error) -> Tensor {
        let h = try parseHeader(bytes)
        guard h.shape.count <= maxDimensions else { throw Error("\(h.shape.count) dimensions; at most \(maxDimensions)") }
        var count = 1
        for d in h.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw Error("shape \(h.shape) is too large") }
            count = product
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: h.dtype.itemSize)
        guard !overflow else { throw Error("shape \(h.shape) is too large") }
        let available = bytes.count - h.dataOffset
        guard available == byteCount else {
            throw Error("shape \(h.shape) of \(h.dtype.rawValue) needs \(byteCount) data bytes, the body has \(available)")
        }
        var data = Data(UnsafeRawBufferPointer(rebasing: bytes[h.dataOffset...]))
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
