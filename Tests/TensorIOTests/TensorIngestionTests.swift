import Foundation
import JobSpec
import NIOCore
import Testing
import TrainScopeTesting
@testable import TensorIO

@Suite struct TensorIngestionTests {
    /// Every dtype smdebug can read back, 0 to 4 dimensions, sent as .npy bodies (one PUT each) and
    /// as a JSON batch with data_base64: read back with the same values (narrow integers widened).
    @Test func everyDtypeAsNPYAndAsJSON() async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            for t in IngestionSamples.tensors {
                let r = try await client.put("/v1/tensors/npy/\(t.name)?step=0&mode=TRAIN", body: NPY.encode(t))
                #expect(r.status == 200, "\(t.name): \(r.body)")
            }
            let items = IngestionSamples.tensors.map { t in
                #"{"name": "b64/\#(t.name)", "dtype": "\#(t.dtype.rawValue)", "shape": \#(t.shape), "data_base64": "\#(t.content.base64EncodedString())"}"#
            }
            let r = try await client.post("/v1/tensors", json: #"{"step": 0, "mode": "TRAIN", "tensors": [\#(items.joined(separator: ","))]}"#)
            #expect(r.status == 200, "\(r.body)")
        }
        let reader = try h.finishAndRead()
        for t in IngestionSamples.tensors {
            for name in ["npy/\(t.name)", "b64/\(t.name)"] {
                let got = try #require(try reader.value(name, step: 0), "\(name)")
                #expect(Scalar.of(got) == IngestionSamples.readBack(t), "\(name)")
                #expect(got.shape == t.shape, "\(name)")
                #expect(got.dtype.isReadableBySmdebug)
            }
        }
        #expect(reader.mode(ofStep: 0)! == (.train, 0))
    }

    @Test func jsonDataNestedWithInferredShapesAndSpecialFloats() async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            let r = try await client.post("/v1/tensors", json: #"""
                {"step": 4, "worker": "worker_1", "tensors": [
                  {"name": "loss", "data": 0.25},
                  {"name": "w", "dtype": "float64", "data": [[1, 2], [3, "NaN"]]},
                  {"name": "cube", "dtype": "int32", "shape": [2, 2, 2], "data": [0, 1, 2, 3, 4, 5, 6, 7]},
                  {"name": "t4", "data": [[[[1.5]]]]},
                  {"name": "flags", "data": [true, false]},
                  {"name": "labels", "data": ["cat", "dog"]},
                  {"name": "inf", "dtype": "float16", "data": ["Infinity", "-Infinity"]}
                ]}
                """#)
            #expect(r.status == 200, "\(r.body)")
            #expect(r.json?["saved"]?.arrayElements?.count == 7)
            #expect(r.json?["mode"]?.stringValue == "GLOBAL")
            #expect(r.json?["mode_step"]?.numberValue?.double == 4)
        }
        let reader = try h.finishAndRead()
        #expect(try reader.value("loss", step: 4, worker: "worker_1")?.shape == [])
        #expect(try reader.value("w", step: 4)?.shape == [2, 2])
        #expect(try reader.value("w", step: 4).map(Scalar.of) == [.number(1), .number(2), .number(3), .number(.nan)])
        #expect(try reader.value("cube", step: 4)?.shape == [2, 2, 2])
        #expect(try reader.value("t4", step: 4)?.shape == [1, 1, 1, 1])
        #expect(try reader.value("flags", step: 4).map(Scalar.of) == [.bool(true), .bool(false)])
        #expect(try reader.value("labels", step: 4).map(Scalar.of) == [.string("cat"), .string("dog")])
        #expect(try reader.value("inf", step: 4).map(Scalar.of) == [.number(.infinity), .number(-.infinity)])
    }

    @Test func oversizedBodiesAre413() async throws {
        let h = try IngestionHarness(limits: .init(maxBodyBytes: 1000, maxJSONBytes: 200, maxTensorsPerRequest: 2))
        try await h.withClient { client in
            let big = NPY.encode(.float32("w", shape: [300], Array(repeating: 1, count: 300)))
            let r = try await client.put("/v1/tensors/w?step=0", body: big)
            #expect(r.status == 413)
            #expect(r.json?["error"]?.stringValue?.contains("at most 1000") == true)
            let json = #"{"step": 0, "tensors": [{"name": "x", "data": [\#(Array(repeating: "1", count: 100).joined(separator: ","))]}]}"#
            let r2 = try await client.post("/v1/tensors", json: json)
            #expect(r2.status == 413)
            #expect(r2.json?["error"]?.stringValue?.contains("send large tensors as .npy") == true)
            let r3 = try await client.post("/v1/tensors", json: #"{"step": 0, "tensors": [{"name": "a", "data": 1}, {"name": "b", "data": 1}, {"name": "c", "data": 1}]}"#)
            #expect(r3.status == 413)
        }
        #expect(h.ingestion.statistics.rejected == 3)
    }

    @Test(arguments: [
        (#"{"step": 0, "tensors": [{"name": "x", "data": [1, 2}]}"#, "malformed JSON"),
        (#"{"tensors": []}"#, "step is required"),
        (#"{"step": -1, "tensors": []}"#, "step must be an integer >= 0"),
        (#"{"step": 0, "mode": "TRAINING", "tensors": []}"#, "mode must be one of"),
        (#"{"step": 0, "tensors": [{"data": 1}]}"#, "needs a \"name\""),
        (#"{"step": 0, "tensors": [{"name": "x", "dtype": "float128", "data": 1}]}"#, "unknown dtype"),
        (#"{"step": 0, "tensors": [{"name": "x", "shape": [3], "data": [1, 2]}]}"#, "shape [3] holds 3 elements, data has 2"),
        (#"{"step": 0, "tensors": [{"name": "x", "data": [[1, 2], [3]]}]}"#, "not rectangular"),
        (#"{"step": 0, "tensors": [{"name": "x", "dtype": "int8", "data": [300]}]}"#, "out of range for int8"),
        (#"{"step": 0, "tensors": [{"name": "x", "dtype": "int32", "data": [1.5]}]}"#, "not an integer"),
        (#"{"step": 0, "tensors": [{"name": "x", "dtype": "uint64", "data": [18446744073709551615]}]}"#, "above 2^63-1"),
        (#"{"step": 0, "tensors": [{"name": "x", "data": "abc", "dtype": "float32"}]}"#, "not a number"),
        (#"{"step": 0, "tensors": [{"name": "x", "shape": [0], "data": []}]}"#, "has no elements"),
        (#"{"step": 0, "tensors": [{"name": "", "data": 1}]}"#, "cannot be empty"),
        (#"{"step": 0, "tensors": [{"name": "a\nb", "data": 1}]}"#, "control characters"),
        (#"{"step": 0, "tensors": [{"name": "smdebug/reductions/mean/x", "data": 1}]}"#, "reserved"),
        (#"{"step": 0, "tensors": [{"name": "x", "data": 1}, {"name": "x", "data": 2}]}"#, "given twice"),
        (#"{"step": 0, "worker": "../../etc", "tensors": [{"name": "x", "data": 1}]}"#, "worker \"../../etc\" must be"),
        (#"{"step": 0, "tensors": [{"name": "x", "shape": [2], "dtype": "float32", "data_base64": "AAAA"}]}"#, "needs 8 bytes, data_base64 has 3"),
        (#"{"step": 0, "extra": 1, "tensors": []}"#, "unknown member \"extra\""),
    ])
    func malformedBatchesAre400WithTheReason(body: String, reason: String) async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            let r = try await client.post("/v1/tensors", json: body)
            #expect(r.status == 400, "\(r.body)")
            let message = (r.json?["error"]?.stringValue ?? "") + " " + (r.json?["tensor"]?.stringValue ?? "")
            #expect(message.contains(reason), "\(r.body)")
        }
        // Nothing of a refused request is written.
        let reader = try h.finishAndRead()
        #expect(reader.tensorNames.isEmpty)
    }

    @Test func malformedNPYIs400() async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            var r = try await client.put("/v1/tensors/x?step=0", body: Array("not numpy".utf8))
            #expect(r.status == 400)
            #expect(r.json?["error"]?.stringValue?.contains("no \\x93NUMPY magic") == true)
            var truncated = NPY.encode(.float32("x", shape: [4], [1, 2, 3, 4]))
            truncated.removeLast(3)
            r = try await client.put("/v1/tensors/x?step=0", body: truncated)
            #expect(r.status == 400)
            #expect(r.json?["error"]?.stringValue?.contains("needs 16 data bytes, the body has 13") == true)
            r = try await client.put("/v1/tensors/x", body: NPY.encode(.float32("x", shape: [1], [1])))
            #expect(r.status == 400)
            #expect(r.json?["error"]?.stringValue == "the step query parameter is required")
            r = try await client.put("/v1/tensors/x?step=0&worker=a/b", body: NPY.encode(.float32("x", shape: [1], [1])))
            #expect(r.status == 400)
        }
    }

    /// Big-endian and Fortran-order .npy bodies, as numpy.save writes them for such arrays.
    @Test func npyByteOrderAndFortranOrder() throws {
        var header = "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 3), }"
        header += String(repeating: " ", count: 64 - (10 + header.count + 1) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        // Column-major [[1, 2, 3], [4, 5, 6]]: 1 4 2 5 3 6, each big-endian.
        for v: Int32 in [1, 4, 2, 5, 3, 6] { withUnsafeBytes(of: v.bigEndian) { bytes += $0 } }
        let t = try bytes.withUnsafeBytes { try NPY.tensor(name: "m", from: $0) }
        #expect(t.shape == [2, 3])
        #expect(t.values == .signed([1, 2, 3, 4, 5, 6]))
    }

    /// `../../etc/x` is a tensor name, never a path: it is stored inside the trial (index and record)
    /// and reads back under that name; nothing is created outside the trial directory.
    @Test func pathLikeNamesStaySafelyInsideTheTrial() async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            let r = try await client.put("/v1/tensors/..%2F..%2Fetc%2Fx?step=0", body: NPY.encode(.float32("", shape: [1], [7])))
            #expect(r.status == 200, "\(r.body)")
            #expect(r.json?["saved"] == .array([.string("../../etc/x")]))
            let r2 = try await client.post("/v1/tensors", json: #"{"step": 0, "tensors": [{"name": "/abs/path", "data": 1}]}"#)
            #expect(r2.status == 200)
        }
        let reader = try h.finishAndRead()
        #expect(reader.tensorNames == ["../../etc/x", "/abs/path"])
        #expect(try reader.value("../../etc/x", step: 0).map(Scalar.of) == [.number(7)])
        let all = FileManager.default.enumerator(atPath: h.dir.path)!.compactMap { $0 as? String }
        #expect(!all.contains { $0.contains("etc") || $0.contains("abs") })
        #expect(!FileManager.default.fileExists(atPath: h.dir.file("etc")))
    }

    /// save_interval, mode-specific intervals and include_regex decide what is written.
    @Test func hookConfigurationDecidesWhatIsSaved() async throws {
        let h = try IngestionHarness(hook: #"""
            {"HookParameters": {"save_interval": "2", "eval.save_interval": "1", "include_regex": "^fc"},
             "CollectionConfigurations": [{"CollectionName": "gradients", "CollectionParameters": {"save_interval": "3"}}]}
            """#)
        try await h.withClient { client in
            for step in 0..<6 {
                let r = try await client.post("/v1/tensors", json: #"""
                    {"step": \#(step), "mode": "TRAIN", "tensors": [{"name": "fc.weight", "data": [1, 2]}, {"name": "conv.weight", "data": [3]},
                     {"name": "gradient/fc.weight", "data": [4]}, {"name": "loss", "data": 0.5}]}
                    """#)
                #expect(r.status == 200, "\(r.body)")
            }
            let r = try await client.post("/v1/tensors", json: #"{"step": 6, "mode": "EVAL", "tensors": [{"name": "fc.weight", "data": [1]}, {"name": "gradient/x", "data": [1]}]}"#)
            #expect(r.json?["saved"] == .array([.string("fc.weight")]))
            #expect(r.json?["skipped"] == .array([.string("gradient/x")]))      // no gradients in EVAL
            #expect(r.json?["mode_step"]?.numberValue?.double == 0)
        }
        let reader = try h.finishAndRead()
        #expect(reader.steps(of: "fc.weight") == [0, 2, 4, 6])              // default collection, every 2 TRAIN steps
        #expect(reader.steps(of: "conv.weight") == [])                       // weights is not a saved collection
        #expect(reader.steps(of: "gradient/fc.weight") == [0, 3])
        #expect(reader.steps(of: "loss") == [0, 2, 4])                       // losses (the generic pattern), hook interval
        #expect(reader.steps(mode: .train) == [0, 2, 3, 4])                  // steps that saved something; mode step = count of TRAIN steps
        let collections = reader.collectionsFile?.collections
        #expect(collections?.first { $0.name == "default" }?.tensorNames == ["fc.weight"])
    }

    @Test func reductionsInsteadOfRawTensorsAndTensorBoardOutput() async throws {
        let h = try IngestionHarness(hook: #"""
            {"HookParameters": {"save_interval": "1", "reductions": "mean,abs_max,l2_norm"},
             "CollectionConfigurations": [{"CollectionName": "weights"}, {"CollectionName": "losses"}]}
            """#)
        try await h.withClient { client in
            let r = try await client.post("/v1/tensors", json: #"""
                {"step": 7, "mode": "TRAIN", "tensors": [{"name": "fc.weight", "data": [3, -4]}, {"name": "loss", "data": 0.5}]}
                """#)
            #expect(r.status == 200, "\(r.body)")
            #expect(r.json?["saved"] == .array([.string("loss")]))
            #expect(r.json?["reductions"] == .array(["smdebug/reductions/mean/fc.weight", "smdebug/reductions/l2/fc.weight",
                                                     "smdebug/reductions/abs_max/fc.weight"].map { .string($0) }))
            #expect(r.json?["histograms"] == .array([.string("weights/fc.weight")]))
            #expect(r.json?["scalars"] == .array([.string("loss")]))
        }
        let reader = try h.finishAndRead()
        #expect(try reader.value("fc.weight", step: 7) == nil)
        let reductions = try reader.reductions("fc.weight", step: 7)
        #expect(reductions[Reduction(name: "mean", abs: false)].map(Scalar.of) == [.number(-0.5)])
        #expect(reductions[Reduction(name: "max", abs: true)].map(Scalar.of) == [.number(4)])
        #expect(reductions[Reduction(name: "l2", abs: false)].map(Scalar.of) == [.number(5)])
        let tb = h.tensorBoard + "/TRAIN"
        let files = try FileManager.default.contentsOfDirectory(atPath: tb)
        #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents.") && files[0].hasSuffix(".algo-1"))
        let events = try TFRecordReader(path: tb + "/" + files[0], check: .crc32c).readAll(requireComplete: true)
            .map { try Tensorboard_Event(serializedBytes: $0.payload) }
        #expect(events.first?.fileVersion == "brain.Event:2")
        #expect(events.dropFirst().map { $0.summary.value[0].tag }.sorted() == ["loss", "weights/fc.weight"])
        #expect(events.dropFirst().allSatisfy { $0.step == 7 })
    }

    @Test func stepsOnlyGoForwardAndCloseStepPublishes() async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            var r = try await client.post("/v1/tensors", json: #"{"step": 5, "mode": "TRAIN", "close_step": true, "tensors": [{"name": "a", "data": 1}]}"#)
            #expect(r.status == 200)
            let reader = SmdebugTrialReader(directory: h.trial)
            #expect(reader.refresh() == [5])                                     // visible at once
            r = try await client.post("/v1/tensors", json: #"{"step": 5, "tensors": [{"name": "b", "data": 1}]}"#)
            #expect(r.status == 409)
            #expect(r.json?["error"]?.stringValue?.contains("already written") == true)
            r = try await client.post("/v1/tensors", json: #"{"step": 6, "mode": "TRAIN", "tensors": [{"name": "a", "data": 1}]}"#)
            r = try await client.post("/v1/tensors", json: #"{"step": 6, "mode": "EVAL", "tensors": [{"name": "c", "data": 1}]}"#)
            #expect(r.status == 409)
            #expect(r.json?["error"]?.stringValue?.contains("is TRAIN step 1, not EVAL") == true)
            r = try await client.post("/v1/tensors", json: #"{"step": 6, "mode": "TRAIN", "tensors": [{"name": "z", "data": 1}, {"name": "a", "data": 1}]}"#)
            #expect(r.status == 409)                                             // refused whole: z is not written
            r = try await client.post("/v1/tensors/flush", json: "")
            #expect(r.status == 200)
            #expect(reader.refresh() == [6])
            #expect(reader.tensorNames == ["a"])
        }
    }
}

extension TensorIngestionTests {
    /// Files are written after the answer; when the disk refuses one (here a file stands where step
    /// 1's folder must go), that step is dropped whole and the failure is answered, once, by the
    /// next request or by the flush, as a 500 naming the file. Steps before and after are whole.
    @Test func aFailedWriteIsAnswered500AndItsStepDropped() async throws {
        let h = try IngestionHarness()
        try FileManager.default.createDirectory(atPath: h.trial + "/events", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: h.trial + "/events/000000000001", contents: Data("in the way".utf8))
        try await h.withClient { client in
            var statuses: [Int] = []
            var errors: [String] = []
            for step in 0..<3 {
                let r = try await client.post("/v1/tensors", json: #"{"step": \#(step), "tensors": [{"name": "loss", "data": \#(step)}]}"#)
                statuses.append(r.status)
                if r.status != 200 { errors.append(r.json?["error"]?.stringValue ?? r.body) }
            }
            let flush = try await client.post("/v1/tensors/flush", json: "")
            if flush.status != 200 { errors.append(flush.json?["error"]?.stringValue ?? flush.body) }
            #expect(statuses[0] == 200 && statuses[1] == 200)
            #expect(errors.count == 1, "\(statuses) \(flush.status) \(errors)")
            #expect(errors.first?.contains("events/000000000001") == true, "\(errors)")
            // Step 2 was written unless its own request was the one that got the 500.
            let reader = try h.finishAndRead()
            #expect(reader.steps() == (statuses[2] == 200 ? [0, 2] : [0]))
        }
    }
}

@Suite(.serialized) struct TensorIngestionConformanceTests {
    /// Tensors of every dtype sent through the API by two workers (as .npy and JSON) are read back
    /// by the real smdebug with equal values, in a dtype it reads (narrow integers widened), with
    /// the steps, modes and workers they were sent with; `../../etc/x` is just a name.
    @Test func smdebugReadsIngestedTensors() async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            for (w, worker) in ["worker_0", "worker_1"].enumerated() {
                for (step, mode) in [(0, "TRAIN"), (1, "EVAL"), (2, "TRAIN")] {
                    for t in IngestionSamples.tensors {
                        let r = try await client.put("/v1/tensors/\(t.name)?step=\(step)&mode=\(mode)&worker=\(worker)", body: NPY.encode(t))
                        #expect(r.status == 200, "\(r.body)")
                    }
                    let r = try await client.post("/v1/tensors", json: #"""
                        {"step": \#(step), "mode": "\#(mode)", "worker": "\#(worker)", "close_step": true, "tensors": [
                          {"name": "../../etc/x", "data": \#(w)}, {"name": "text", "data": ["a", "ß"]}]}
                        """#)
                    #expect(r.status == 200, "\(r.body)")
                }
            }
        }
        try h.ingestion.finish()
        let got = try Conformance.json("read_trial.py", [h.trial])
        #expect(got["steps"] == .array([0, 1, 2].map { .number(JSONNumber($0)) }))
        #expect(got["steps_by_mode"]?["TRAIN"] == .array([0, 1].map { .number(JSONNumber($0)) }))
        #expect(got["steps_by_mode"]?["EVAL"] == .array([.number(JSONNumber(0))]))
        #expect(got["workers"] == .array([.string("worker_0"), .string("worker_1")]))
        for t in IngestionSamples.tensors {
            for step in ["0", "1", "2"] {
                for worker in ["worker_0", "worker_1"] {
                    let value = try #require(got["values_by_worker"]?[t.name]?[step]?[worker], "\(t.name) \(step) \(worker)")
                    #expect(Scalar.flatten(value) == IngestionSamples.readBack(t), "\(t.name)")
                }
            }
            let storage = t.dtype.smdebugStorageType.rawValue
            #expect(got["dtypes"]?[t.name]?.stringValue == storage, "\(t.name)")
        }
        #expect(got["values_by_worker"]?["../../etc/x"]?["2"]?["worker_1"].map(Scalar.flatten) == [.number(1)])
        #expect(got["values_by_worker"]?["text"]?["1"]?["worker_0"] == .array([.string("a"), .string("ß")]))
        #expect(got["collections"]?["all"]?["tensor_names"]?.arrayElements?.count == IngestionSamples.tensors.count + 2)
    }
}

@Suite struct NPZIngestionTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.root + "/" + name)))
    }

    /// A batch as numpy.savez writes it (ZIP64 member records, big-endian and Fortran-order members).
    @Test func numpySavezBatch() async throws {
        let h = try IngestionHarness()
        try await h.withClient { client in
            let r = try await client.client.execute(uri: "/v1/tensors?step=2&mode=EVAL&worker=worker_3", method: .post,
                                                    headers: [.contentType: "application/x-npz"],
                                                    body: ByteBuffer(bytes: try Self.fixture("savez.npz"))) {
                IngestionHarness.Reply(status: Int($0.status.code), body: String(buffer: $0.body))
            }
            #expect(r.status == 200, "\(r.body)")
            #expect(r.json?["saved"]?.arrayElements?.count == 5)
            #expect(r.json?["worker"]?.stringValue == "worker_3")
            let compressed = try await client.client.execute(uri: "/v1/tensors?step=3", method: .post,
                                                             headers: [.contentType: "application/x-npz"],
                                                             body: ByteBuffer(bytes: try Self.fixture("savez_compressed.npz"))) {
                IngestionHarness.Reply(status: Int($0.status.code), body: String(buffer: $0.body))
            }
            #expect(compressed.status == 400)
            #expect(compressed.json?["error"]?.stringValue?.contains("savez_compressed") == true)
            let garbage = try await client.client.execute(uri: "/v1/tensors?step=3", method: .post,
                                                          headers: [.contentType: "application/x-npz"], body: ByteBuffer(string: "PK no zip")) {
                IngestionHarness.Reply(status: Int($0.status.code), body: String(buffer: $0.body))
            }
            #expect(garbage.status == 400)
        }
        let reader = try h.finishAndRead()
        #expect(reader.mode(ofStep: 2)! == (.eval, 0))
        #expect(try reader.value("fc/weight", step: 2, worker: "worker_3").map(Scalar.of) == (0..<6).map { .number(Double($0)) })
        #expect(try reader.value("fc/weight", step: 2)?.shape == [2, 3])
        #expect(try reader.value("big_endian", step: 2).map(Scalar.of) == [.number(1), .number(-2)])
        #expect(try reader.value("flags", step: 2).map(Scalar.of) == [.bool(true), .bool(false)])
        #expect(try reader.value("fortran", step: 2).map(Scalar.of) == (0..<6).map { .number(Double($0)) })
        #expect(try reader.value("scalar", step: 2)?.shape == [])
        #expect(try reader.value("scalar", step: 2).map(Scalar.of) == [.number(2.5)])
    }
}
