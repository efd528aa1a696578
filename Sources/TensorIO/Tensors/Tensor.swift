import Foundation

/// A named array: element type, shape, and the elements as little-endian bytes in C order (or, for
/// strings, one UTF-8 byte string per element).
public struct Tensor: Sendable, Equatable {
    public var name: String
    public var dtype: TensorDType
    public var shape: [Int]
    /// `elementCount * dtype.itemSize` bytes; empty for strings.
    public var content: Data
    /// The elements of a string tensor.
    public var strings: [String]

    public init(name: String, dtype: TensorDType, shape: [Int], content: Data) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.content = content
        self.strings = []
    }

    public init(name: String, strings: [String]) {
        self.name = name
        self.dtype = .string
        self.shape = [strings.count]
        self.content = Data()
        self.strings = strings
    }

    /// Product of the dimensions (1 for a 0-d tensor).
    public var elementCount: Int { shape.reduce(1, *) }

    /// Bytes the elements take.
    public var byteCount: Int { dtype == .string ? strings.reduce(0) { $0 + $1.utf8.count } : content.count }

    /// A tensor of `Float`s (a convenience for tests, scalars and log-derived values).
    public static func float32(_ name: String, shape: [Int], _ values: [Float]) -> Tensor {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shape)")
        return Tensor(name: name, dtype: .float32, shape: shape,
                      content: values.withUnsafeBytes { Data($0) })
    }

    public static func float64(_ name: String, shape: [Int], _ values: [Double]) -> Tensor {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shape)")
        return Tensor(name: name, dtype: .float64, shape: shape, content: values.withUnsafeBytes { Data($0) })
    }

    public static func int64(_ name: String, shape: [Int], _ values: [Int64]) -> Tensor {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shape)")
        return Tensor(name: name, dtype: .int64, shape: shape, content: values.withUnsafeBytes { Data($0) })
    }

    public static func int32(_ name: String, shape: [Int], _ values: [Int32]) -> Tensor {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values do not fill shape \(shape)")
        return Tensor(name: name, dtype: .int32, shape: shape, content: values.withUnsafeBytes { Data($0) })
    }
}
