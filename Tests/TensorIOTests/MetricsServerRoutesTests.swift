import Exposition
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import TensorIO

/// The ingestion API mounted on the sidecar's server through `MetricsServer.extraRoutes`, next to an
/// unchanged `/metrics`.
@Suite struct MetricsServerRoutesTests {
    @Test func ingestionRoutesBesideMetrics() async throws {
        let h = try IngestionHarness()
        let ingestion = h.ingestion
        let server = MetricsServer(configuration: .init(host: "127.0.0.1", port: 0), logger: Logger(label: "test"),
                                   extraRoutes: { router in ingestion.register(on: router) },
                                   families: { [] })
        try await server.application(onRunning: { _ in }).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            }
            try await client.execute(uri: "/healthz", method: .get) { r in #expect(String(buffer: r.body) == "ok\n") }
            try await client.execute(uri: "/v1/tensors", method: .post,
                                     body: ByteBuffer(string: #"{"step": 0, "tensors": [{"name": "loss", "data": 1.5}]}"#)) { r in
                #expect(r.status == .ok, "\(String(buffer: r.body))")
            }
        }
        let reader = try h.finishAndRead()
        #expect(reader.tensorNames == ["loss"])
    }
}
