import Foundation
import Hummingbird
import HummingbirdTesting
import JobSpec
import NIOCore
import TrainScopeTesting
@testable import TensorIO

/// A trial directory, a TensorBoard directory and the ingestion API on a test router.
final class IngestionHarness: @unchecked Sendable {
    let dir = TemporaryDirectory(prefix: "ingestion")
    let ingestion: TensorIngestion
    var trial: String { dir.file("tensors") }
    var tensorBoard: String { dir.file("tensorboard") }

    init(hook: String = #"{"HookParameters": {"save_interval": "1", "save_all": "true"}}"#,
         limits: TensorIngestion.Limits = TensorIngestion.Limits()) throws {
        let config = try DebugHookConfiguration(jsonText: hook)
        let writer = try SmdebugTrialWriter(directory: dir.file("tensors"), collections: config.collections, asynchronousIO: true)
        ingestion = TensorIngestion(configuration: .init(hook: config, limits: limits, tensorBoardDirectory: dir.file("tensorboard"),
                                                         hostname: "algo-1"),
                                    writer: writer)
    }

    struct Reply: Sendable {
        var status: Int
        var body: String
        var json: JSONValue? { try? JSONParser.parse(body) }
    }

    /// Runs `body` with a client for the routes.
    func withClient(_ body: @Sendable (Client) async throws -> Void) async throws {
        let router = Router()
        ingestion.register(on: router)
        let app = Application(router: router)
        try await app.test(.router) { client in try await body(Client(client: client)) }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        func post(_ uri: String, json: String) async throws -> Reply {
            try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: json)) { Reply(status: Int($0.status.code), body: String(buffer: $0.body)) }
        }
        func put(_ uri: String, body: [UInt8], headers: HTTPFields = [:]) async throws -> Reply {
            try await client.execute(uri: uri, method: .put, headers: headers, body: ByteBuffer(bytes: body)) {
                Reply(status: Int($0.status.code), body: String(buffer: $0.body))
            }
        }
    }

    func finishAndRead() throws -> SmdebugTrialReader {
        try ingestion.finish()
        let reader = SmdebugTrialReader(directory: trial)
        reader.refresh()
        return reader
    }
}

/// Tensors of every dtype, 0-d to 4-d, as a test sends them (the JSON `data`, and the same tensor).
enum IngestionSamples {
    static func data<T>(_ v: [T]) -> Data { v.withUnsafeBytes { Data($0) } }

    static let tensors: [Tensor] = [
        Tensor(name: "f16", dtype: .float16, shape: [], content: data([Float16(1.5)])),
        .float32("f32", shape: [2, 3], [1, -2, 3.5, .infinity, -.infinity, .nan]),
        .float64("f64", shape: [2, 1, 2], [1e-300, -1e300, 0.1, -0]),
        Tensor(name: "i8", dtype: .int8, shape: [3], content: data([Int8(-128), 0, 127])),
        Tensor(name: "i16", dtype: .int16, shape: [2], content: data([Int16(-32768), 32767])),
        .int32("i32", shape: [1, 1, 1, 2], [.min, .max]),
        .int64("i64", shape: [2], [.min, .max]),
        Tensor(name: "u8", dtype: .uint8, shape: [2, 2], content: Data([0, 1, 128, 255])),
        Tensor(name: "u16", dtype: .uint16, shape: [2], content: data([UInt16(0), 65535])),
        Tensor(name: "u32", dtype: .uint32, shape: [2], content: data([UInt32(0), .max])),
        Tensor(name: "u64", dtype: .uint64, shape: [2], content: data([UInt64(0), UInt64(Int64.max)])),
        Tensor(name: "b", dtype: .bool, shape: [2, 2, 1, 1], content: Data([1, 0, 0, 1])),
        Tensor(name: "c64", dtype: .complex64, shape: [1], content: data([Float(1.5), -2])),
        Tensor(name: "c128", dtype: .complex128, shape: [2], content: data([0.25, 1, -1, 0])),
    ]

    /// What smdebug reads back: the values, in the widened dtype where smdebug cannot read the sent one.
    static func readBack(_ t: Tensor) -> [Scalar] { Scalar.of(try! t.convertedForSmdebug()) }
}
