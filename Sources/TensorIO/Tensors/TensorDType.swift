/// Element types of a tensor, named as NumPy names them.
public enum TensorDType: String, Sendable, CaseIterable, Hashable {
    case float16, float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case bool
    case complex64, complex128
    /// UTF-8 strings (a 1-D array); smdebug stores them in `string_val` with no dtype.
    case string

    /// Bytes per element (0 for strings).
    public var itemSize: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .float16, .int16, .uint16: 2
        case .float32, .int32, .uint32: 4
        case .float64, .int64, .uint64, .complex64: 8
        case .complex128: 16
        case .string: 0
        }
    }

    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }

    /// smdebug 1.0.34's reader decodes these correctly (section A.3 of the format notes): half, float,
    /// double, int32, int64, uint8, bool, complex128 and strings. int8 comes back as uint8, and
    /// int16, uint16, uint32, uint64 and complex64 cannot be read at all.
    public var isReadableBySmdebug: Bool {
        switch self {
        case .float16, .float32, .float64, .int32, .int64, .uint8, .bool, .complex128, .string: true
        case .int8, .int16, .uint16, .uint32, .uint64, .complex64: false
        }
    }

    /// The type a value of this dtype is stored as so that smdebug reads it back unchanged:
    /// the dtype itself when smdebug reads it, else the narrowest readable type holding every value
    /// (uint64 becomes int64, which holds values up to 2^63 - 1 only; the converter checks).
    public var smdebugStorageType: TensorDType {
        switch self {
        case .int8, .int16, .uint16: .int32
        case .uint32, .uint64: .int64
        case .complex64: .complex128
        default: self
        }
    }

    /// The `DataType` enum value in smdebug's and TensorFlow's `types.proto`.
    public var protoDataType: Int {
        switch self {
        case .float32: 1
        case .float64: 2
        case .int32: 3
        case .uint8: 4
        case .int16: 5
        case .int8: 6
        case .string: 7
        case .complex64: 8
        case .int64: 9
        case .bool: 10
        case .uint16: 17
        case .complex128: 18
        case .float16: 19
        case .uint32: 22
        case .uint64: 23
        }
    }

    public init?(protoDataType: Int) {
        guard let match = TensorDType.allCases.first(where: { $0.protoDataType == protoDataType }) else { return nil }
        self = match
    }

    /// NumPy's little-endian `descr` (`<f4`, `|u1`, …); nil for strings.
    public var numpyDescr: String? {
        switch self {
        case .float16: "<f2"
        case .float32: "<f4"
        case .float64: "<f8"
        case .int8: "|i1"
        case .int16: "<i2"
        case .int32: "<i4"
        case .int64: "<i8"
        case .uint8: "|u1"
        case .uint16: "<u2"
        case .uint32: "<u4"
        case .uint64: "<u8"
        case .bool: "|b1"
        case .complex64: "<c8"
        case .complex128: "<c16"
        case .string: nil
        }
    }

    /// Accepts NumPy's names and a few common aliases (`float`, `half`, `double`, `int`, `long`).
    public init?(name: String) {
        switch name.lowercased() {
        case "float16", "half", "f2": self = .float16
        case "float32", "float", "f4": self = .float32
        case "float64", "double", "f8": self = .float64
        case "int8", "i1": self = .int8
        case "int16", "i2": self = .int16
        case "int32", "int", "i4": self = .int32
        case "int64", "long", "i8": self = .int64
        case "uint8", "u1": self = .uint8
        case "uint16", "u2": self = .uint16
        case "uint32", "u4": self = .uint32
        case "uint64", "u8": self = .uint64
        case "bool", "b1": self = .bool
        case "complex64", "c8": self = .complex64
        case "complex128", "c16": self = .complex128
        case "string", "str": self = .string
        default: return nil
        }
    }
}
