import Foundation
import Hummingbird
import HummingbirdTesting
import JobSpec
import Testing
import TrainScopeTesting
@testable import TensorIO

/// Examples/trainscope_client.py (stdlib only) against the ingestion API on a live server.
@Suite(.serialized) struct PythonClientTests {
    static func run(python: String, numpy: Bool) async throws -> (JSONValue, SmdebugTrialReader, IngestionHarness) {
        let h = try IngestionHarness()
        let router = Router()
        h.ingestion.register(on: router)
        let output = try await Application(router: router).test(.live) { client -> Conformance.Output in
            let url = "http://127.0.0.1:\(client.port!)"
            return try Conformance.run(python, ["\(Conformance.scripts)/client_session.py", url] + (numpy ? ["--numpy"] : []))
        }
        #expect(output.status == 0, "\(output.stderr)")
        let json = try JSONParser.parse(output.stdout)
        return (json, try h.finishAndRead(), h)   // h keeps the directory alive
    }

    /// The system python3, without NumPy: plain values through the JSON batch.
    @Test func stdlibOnlyClient() async throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/python3"
        let (json, reader, h) = try await Self.run(python: python, numpy: false)
        defer { withExtendedLifetime(h) {} }
        #expect(reader.steps() == [0, 1, 2, 3])
        #expect(reader.steps(mode: .eval) == [0])
        #expect(try reader.value("grid", step: 2).map(Scalar.of) == [2, 1, 2, 3].map { .number($0) })
        #expect(try reader.value("ok", step: 0)?.dtype == .bool)
        #expect(try reader.value("nan", step: 1).map(Scalar.of) == [.number(.nan)])
        let errors = json["errors"]?.arrayElements ?? []
        #expect(errors.first?["status"]?.numberValue?.double == 409)
        #expect(errors.dropFirst().first?["status"]?.numberValue?.double == 400)
        #expect(errors.dropFirst().first?["message"]?.stringValue?.contains("not rectangular") == true)
        #expect(errors.last?["warned"] == .bool(true))
    }

    /// With NumPy arrays: raw bytes (data_base64 and .npy), C order for a transposed view,
    /// big-endian arrays swapped.
    @Test func numpyArrays() async throws {
        let (_, reader, h) = try await Self.run(python: try Conformance.python(), numpy: true)
        defer { withExtendedLifetime(h) {} }
        let w = try #require(try reader.value("np/w", step: 4))
        #expect(w.shape == [2, 3, 4] && w.dtype == .float32)
        #expect(Scalar.of(w) == (0..<24).map { .number(Double($0)) })
        let t = try #require(try reader.value("np/t", step: 4))
        #expect(t.shape == [4, 2, 3])
        #expect(Array(Scalar.of(t)[0..<6]) == [0.0, 4, 8, 12, 16, 20].map { Scalar.number($0) })
        #expect(try reader.value("np/be", step: 4).map(Scalar.of) == [.number(1), .number(2)])
        #expect(try reader.value("np/c", step: 4).map(Scalar.of) == [.number(1), .number(2)])
        #expect(try reader.value("np/put", step: 4).map(Scalar.of) == [.number(1.5), .number(-2.5)])
        #expect(try reader.value("np/put_be", step: 4).map(Scalar.of) == [7, 8, 9].map { .number($0) })
    }
}
