import Foundation

/// The reductions smdebug's hooks compute with NumPy (`get_numpy_reduction`): `min max mean std
/// variance sum prod` (std and variance with ddof 0) and the norms `l1 l2`, of the values or of their
/// absolute values. NaN propagates as in NumPy.
public enum TensorReductions {
    public static func compute(_ r: Reduction, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let x = r.abs ? values.map { Swift.abs($0) } : values
        let n = Double(x.count)
        switch r.name {
        case "min": return x.contains { $0.isNaN } ? .nan : x.min()
        case "max": return x.contains { $0.isNaN } ? .nan : x.max()
        case "sum": return x.reduce(0, +)
        case "prod": return x.reduce(1, *)
        case "mean": return x.reduce(0, +) / n
        case "variance", "std":
            let mean = x.reduce(0, +) / n
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            return r.name == "std" ? variance.squareRoot() : variance
        case "l1": return x.reduce(0) { $0 + Swift.abs($1) }
        case "l2": return x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        default: return nil
        }
    }

    /// The reduction tensor a hook saves: named `smdebug/reductions/…`, shape [1] (NumPy scalars
    /// become 1-element arrays), float32 for float32 or float16 data, float64 otherwise.
    public static func tensor(_ r: Reduction, of tensor: Tensor) -> Tensor? {
        guard tensor.dtype != .string, let values = tensor.doubles(), let v = compute(r, of: values) else { return nil }
        let name = r.tensorName(for: tensor.name)
        if tensor.dtype == .float32 || tensor.dtype == .float16 {
            return .float32(name, shape: [1], [Float(v)])
        }
        return .float64(name, shape: [1], [v])
    }
}
