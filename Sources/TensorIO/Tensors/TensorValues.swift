import Foundation

/// A tensor's elements decoded to Swift numbers, in C order.
public enum TensorValues: Sendable, Equatable {
    case floating([Double])
    case signed([Int64])
    case unsigned([UInt64])
    case bools([Bool])
    /// Real and imaginary parts, interleaved.
    case complex([Double])
    case strings([String])

    public var count: Int {
        switch self {
        case .floating(let v): v.count
        case .signed(let v): v.count
        case .unsigned(let v): v.count
        case .bools(let v): v.count
        case .complex(let v): v.count / 2
        case .strings(let v): v.count
        }
    }
}

extension Tensor {
    /// The elements decoded from `content`.
    public var values: TensorValues {
        let n = dtype == .string ? strings.count : content.count / max(dtype.itemSize, 1)
        return content.withUnsafeBytes { raw -> TensorValues in
            func load<T>(_: T.Type, _ i: Int) -> T { raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self) }
            switch dtype {
            case .float16: return .floating((0..<n).map { Double(Float16(bitPattern: load(UInt16.self, $0))) })
            case .float32: return .floating((0..<n).map { Double(load(Float.self, $0)) })
            case .float64: return .floating((0..<n).map { load(Double.self, $0) })
            case .int8: return .signed((0..<n).map { Int64(load(Int8.self, $0)) })
            case .int16: return .signed((0..<n).map { Int64(load(Int16.self, $0)) })
            case .int32: return .signed((0..<n).map { Int64(load(Int32.self, $0)) })
            case .int64: return .signed((0..<n).map { load(Int64.self, $0) })
            case .uint8: return .unsigned((0..<n).map { UInt64(load(UInt8.self, $0)) })
            case .uint16: return .unsigned((0..<n).map { UInt64(load(UInt16.self, $0)) })
            case .uint32: return .unsigned((0..<n).map { UInt64(load(UInt32.self, $0)) })
            case .uint64: return .unsigned((0..<n).map { load(UInt64.self, $0) })
            case .bool: return .bools((0..<n).map { load(UInt8.self, $0) != 0 })
            case .complex64: return .complex((0..<(2 * n)).map { Double(load(Float.self, $0)) })
            case .complex128: return .complex((0..<(2 * n)).map { load(Double.self, $0) })
            case .string: return .strings(strings)
            }
        }
    }

    /// The elements as Doubles (bools as 0 and 1, complex numbers as their magnitude; nil for strings),
    /// for reductions and histograms.
    public func doubles() -> [Double]? {
        switch values {
        case .floating(let v): v
        case .signed(let v): v.map(Double.init)
        case .unsigned(let v): v.map(Double.init)
        case .bools(let v): v.map { $0 ? 1 : 0 }
        case .complex(let v): stride(from: 0, to: v.count, by: 2).map { (i: Int) -> Double in
                let re = v[i], im = v[i + 1]
                return (re * re + im * im).squareRoot()
            }
        case .strings: nil
        }
    }

    /// The same values in a dtype smdebug 1.0.34 reads back unchanged (`TensorDType.smdebugStorageType`).
    /// Throws for a uint64 value above Int64.max.
    public func convertedForSmdebug() throws(TensorConversionError) -> Tensor {
        let target = dtype.smdebugStorageType
        if target == dtype { return self }
        var out = Tensor(name: name, dtype: target, shape: shape, content: Data())
        switch values {
        case .signed(let v):
            out.content = target == .int32 ? v.map { Int32($0) }.withUnsafeBytes { Data($0) } : v.withUnsafeBytes { Data($0) }
        case .unsigned(let v):
            if target == .int32 {
                out.content = v.map { Int32($0) }.withUnsafeBytes { Data($0) }
            } else {
                var wide: [Int64] = []
                wide.reserveCapacity(v.count)
                for (i, x) in v.enumerated() {
                    guard let y = Int64(exactly: x) else { throw TensorConversionError(tensor: name, index: i, value: "\(x)") }
                    wide.append(y)
                }
                out.content = wide.withUnsafeBytes { Data($0) }
            }
        case .complex(let v):
            out.content = v.withUnsafeBytes { Data($0) }
        default:
            return self
        }
        return out
    }
}

/// A value that the dtype smdebug can read cannot hold.
public struct TensorConversionError: Error, Sendable, CustomStringConvertible {
    public var tensor: String
    public var index: Int
    public var value: String
    public var description: String {
        "tensor \(tensor): element \(index) (\(value)) is above 2^63-1; smdebug cannot read uint64, and int64 cannot hold it"
    }
}
