import Foundation
import JobSpec
import TrainScopeTesting
@testable import TensorIO

enum Fixtures {
    static let root = SourceTree.root() + "/Tests/TensorIOTests/Fixtures"
    static let smdebugTrial = root + "/smdebug-trial"

    /// `{tensor: {step: {worker: value}}}` printed by the fixture's writer.
    static func smdebugExpectedValues() throws -> JSONValue {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/smdebug-trial.expected.json"))
        return try JSONParser.parse(Array(data))["expected_values"]!
    }

    /// The fixture's schedule: global step → (mode, mode step).
    static let schedule: [(Int64, TrainingMode, Int64)] = [
        (0, .train, 0), (1, .train, 1), (2, .train, 2), (3, .eval, 0), (4, .train, 3), (5, .train, 4),
    ]
}

/// A JSON value flattened to scalars in C order, for comparing with decoded tensors.
enum Scalar: Equatable, CustomStringConvertible {
    case number(Double)
    case bool(Bool)
    case string(String)

    /// NaN equals NaN here: the tests compare what was written with what was read.
    static func == (a: Scalar, b: Scalar) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x == y || (x.isNaN && y.isNaN)
        case (.bool(let x), .bool(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        default: false
        }
    }

    var description: String {
        switch self {
        case .number(let d): "\(d)"
        case .bool(let b): "\(b)"
        case .string(let s): "\"\(s)\""
        }
    }

    static func flatten(_ v: JSONValue) -> [Scalar] {
        switch v {
        case .array(let a): a.flatMap(flatten)
        case .number(let n): [.number(n.double)]
        case .bool(let b): [.bool(b)]
        case .string("NaN"): [.number(.nan)]
        case .string("Infinity"): [.number(.infinity)]
        case .string("-Infinity"): [.number(-.infinity)]
        case .string(let s): [.string(s)]
        default: []
        }
    }

    static func of(_ t: Tensor) -> [Scalar] {
        switch t.values {
        case .floating(let v): v.map { .number($0) }
        case .signed(let v): v.map { .number(Double($0)) }
        case .unsigned(let v): v.map { .number(Double($0)) }
        case .bools(let v): v.map { .bool($0) }
        case .complex(let v): v.map { .number($0) }
        case .strings(let v): v.map { .string($0) }
        }
    }
}

/// Builds the tensors `Conformance/write_smdebug_trial.py` writes for a step and worker.
enum OracleTensors {
    static func tensors(step: Int64, worker w: Int, mode: TrainingMode) -> [Tensor] {
        let s = Float(step), wf = Float(w)
        let loss: Float = mode == .eval ? Float(0.75 + 0.01 * Double(w)) : Float(1.0 / Double(step + 1) + 0.01 * Double(w))
        let weight = (0..<6).map { Float($0) * (s + 1) + wf }
        var out: [Tensor] = [
            .float32("loss", shape: [], [loss]),
            .float32("dense/weight", shape: [2, 3], weight),
            .float64("dense/bias", shape: [3], [0.5, -0.5, 0.0].map { $0 * Double(step) }),
            .float32("gradients/dense/weight", shape: [2, 3], Array(repeating: Float(1e-3 / Double(step + 1)), count: 6)),
            .int32("labels", shape: [2], [Int32(step % 3), Int32((step + 1) % 3)]),
            .int64("global_step_counter", shape: [1], [step]),
            Tensor(name: "mask", dtype: .bool, shape: [2, 2], content: Data([1, 0, step % 2 == 0 ? 1 : 0, 1])),
            Tensor(name: "half", dtype: .float16, shape: [3],
                   content: [Float16(0.5), Float16(-2.0), Float16(Float(step))].withUnsafeBytes { Data($0) }),
            Tensor(name: "pixels", dtype: .uint8, shape: [3], content: Data([0, 255, UInt8(step)])),
            Tensor(name: "words", strings: ["alpha", "β", "step\(step)"]),
        ]
        let absMean = weight.map(abs).reduce(0, +) / 6
        out.append(.float32("smdebug/reductions/abs_mean/dense/weight", shape: [], [absMean]))
        return out
    }
}
