import Foundation
import JobSpec
import Testing
import TrainScopeTesting
@testable import TensorIO

/// The real smdebug 1.0.34 reads what trainscope writes; trainscope reads what smdebug writes.
@Suite(.serialized) struct SmdebugConformanceTests {
    /// Every dtype smdebug reads, 0-d to 4-d shapes, two workers, TRAIN/EVAL/PREDICT steps, reductions,
    /// shapes, collections: `create_trial` returns the same steps, modes, workers and values.
    @Test func smdebugReadsTrainscopesTrial() throws {
        let dir = TemporaryDirectory()
        let config = try DebugHookConfiguration(jsonText: #"""
            {"HookParameters": {"save_interval": "1"},
             "CollectionConfigurations": [{"CollectionName": "weights"}, {"CollectionName": "losses"},
                                          {"CollectionName": "custom", "CollectionParameters": {"include_regex": "^custom/"}}]}
            """#)
        let writer = try SmdebugTrialWriter(directory: dir.path, collections: config.collections, numWorkers: 2)
        let schedule: [(Int64, TrainingMode, Int64)] = [(0, .train, 0), (1, .train, 1), (2, .eval, 0), (3, .predict, 0), (4, .train, 2)]
        var expected: [String: [Int64: [String: [Scalar]]]] = [:]
        for w in 0..<2 {
            let worker = "worker_\(w)"
            for (step, mode, modeStep) in schedule {
                let position = StepPosition(step: step, mode: mode, modeStep: modeStep, worker: worker)
                for tensor in Self.tensors(step: step, worker: w) {
                    let names = SavePlanner(configuration: config).collections(of: tensor.name)
                    try writer.write(tensor, at: position, collections: names)
                    expected[tensor.name, default: [:]][step, default: [:]][worker] = Scalar.of(tensor)
                }
                try writer.writeShape(name: "layer/activation", shape: [8, 16], at: position)
                try writer.write(.float32("smdebug/reductions/abs_mean/weights/w", shape: [], [Float(step) + 0.5]), at: position)
            }
        }
        try writer.finish()

        let got = try Conformance.json("read_trial.py", [dir.path])
        #expect(got["steps"] == .array((0...4).map { .number(JSONNumber($0)) }))
        #expect(got["steps_by_mode"]?["TRAIN"] == .array([0, 1, 2].map { .number(JSONNumber($0)) }))
        #expect(got["steps_by_mode"]?["EVAL"] == .array([.number(JSONNumber(0))]))
        #expect(got["steps_by_mode"]?["PREDICT"] == .array([.number(JSONNumber(0))]))
        #expect(got["global_to_mode"]?["2"] == .array([.string("EVAL"), .number(JSONNumber(0))]))
        #expect(got["workers"] == .array([.string("worker_0"), .string("worker_1")]))
        #expect(got["num_workers"]?.numberValue?.double == 2)
        #expect(got["loaded_all_steps"] == .bool(true))
        #expect(got["collections"]?["weights"]?["tensor_names"] == .array([.string("weights/w")]))
        #expect(got["collections"]?["losses"]?["tensor_names"] == .array([.string("loss")]))
        #expect(got["collections"]?["custom"]?["include_regex"] == .array([.string("^custom/")]))
        #expect(got["collections"]?["custom"]?["tensor_names"] == .array([.string("custom/c128")]))
        var compared = 0
        for (name, steps) in expected {
            for (step, workers) in steps {
                for (worker, scalars) in workers {
                    let value = try #require(got["values_by_worker"]?[name]?["\(step)"]?[worker], "\(name) step \(step) \(worker) missing")
                    #expect(Scalar.flatten(value) == scalars, "\(name) step \(step) \(worker)")
                    compared += 1
                }
            }
        }
        #expect(compared == 2 * 5 * Self.tensors(step: 0, worker: 0).count)
        let dtypes = got["dtypes"]
        for (name, dtype) in [("half", "float16"), ("loss", "float32"), ("f64", "float64"), ("i32", "int32"),
                              ("i64", "int64"), ("u8", "uint8"), ("mask", "bool"), ("custom/c128", "complex128")] {
            #expect(dtypes?[name]?.stringValue == dtype, "\(name)")
        }
        #expect(got["shapes"]?["weights/w"]?["1"] == .array([2, 3, 4, 5].map { .number(JSONNumber($0)) }))
        #expect(got["shapes"]?["layer/activation"]?["3"] == .array([8, 16].map { .number(JSONNumber($0)) }))
        #expect(got["reductions"]?["weights/w"]?["4"]?["abs_mean"]?.numberValue?.double == 4.5)
        #expect(got["value_unavailable"]?["layer/activation"] != nil)
    }

    /// smdebug's own writer writes steps 0-2, then 3-5, then the end marker; trainscope's reader,
    /// refreshed in between, sees each step once both workers wrote it, with smdebug's values.
    @Test func trainscopeReadsSmdebugsTrialWhileItIsWritten() throws {
        let dir = TemporaryDirectory()
        let reader = SmdebugTrialReader(directory: dir.path)
        let first = try Conformance.json("write_smdebug_trial.py", [dir.path, "--workers", "2", "--steps", "0:3", "--no-end-marker"])
        #expect(reader.refresh() == [0, 1, 2])
        #expect(reader.steps() == [0, 1, 2])
        #expect(!reader.hasEnded)
        try Self.expectValues(reader, first["expected_values"]!)
        let second = try Conformance.json("write_smdebug_trial.py", [dir.path, "--workers", "2", "--steps", "3:6", "--no-collections"])
        #expect(reader.refresh() == [3, 4, 5])
        #expect(reader.hasEnded)
        #expect(reader.steps(mode: .eval) == [0])
        #expect(reader.steps(mode: .train) == [0, 1, 2, 3, 4])
        try Self.expectValues(reader, second["expected_values"]!)
    }

    /// The .proto files the Swift code is generated from match smdebug's and TensorBoard's compiled
    /// descriptors (field numbers, labels, types, enum values).
    @Test func protosMatchTheRealDescriptors() throws {
        let got = try Conformance.json("check_protos.py", [SourceTree.root() + "/protos"])
        #expect(got["mismatches"] == .array([]))
        #expect((got["checked"]?.numberValue?.double ?? 0) > 150)
    }

    static func expectValues(_ reader: SmdebugTrialReader, _ expected: JSONValue) throws {
        for member in expected.objectMembers ?? [] {
            for stepMember in member.value.objectMembers ?? [] {
                for workerMember in stepMember.value.objectMembers ?? [] {
                    let value = try reader.value(member.key, step: Int64(stepMember.key)!, worker: workerMember.key)
                    #expect(value.map(Scalar.of) == Scalar.flatten(workerMember.value), "\(member.key) \(stepMember.key)")
                }
            }
        }
    }

    /// One tensor per readable dtype, shapes from 0-d to 4-d.
    static func tensors(step: Int64, worker: Int) -> [Tensor] {
        let s = Double(step) + Double(worker) / 10
        func data<T>(_ values: [T]) -> Data { values.withUnsafeBytes { Data($0) } }
        return [
            .float32("loss", shape: [], [Float(1 / (s + 1))]),
            Tensor(name: "half", dtype: .float16, shape: [2], content: data([Float16(s), Float16(-0.25)])),
            .float32("weights/w", shape: [2, 3, 4, 5], (0..<120).map { Float($0) * Float(s) - 7 }),
            .float64("f64", shape: [3, 1], [s, -.infinity, .nan].map { $0 }),
            .int32("i32", shape: [2, 2], [Int32(step), -1, .max, .min]),
            .int64("i64", shape: [1, 1, 2], [Int64(step) << 40, -3]),
            Tensor(name: "u8", dtype: .uint8, shape: [4], content: Data([0, 1, 254, UInt8(step)])),
            Tensor(name: "mask", dtype: .bool, shape: [3], content: Data([1, 0, UInt8(step % 2)])),
            Tensor(name: "custom/c128", dtype: .complex128, shape: [2], content: data([s, 1.0, -2.0, 0.5])),
            Tensor(name: "labels/text", strings: ["cat", "Ünïcode", "step \(step)"]),
        ]
    }
}
